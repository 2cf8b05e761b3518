package io.pigateway.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line itself, without running anything. */
class GatewayMainTest {

    @Test
    void theHelpBreaksLinesBetweenWordsOnly() {
        CommandLine cli = new CommandLine(new GatewayMain());
        assertTrue(cli.getSubcommands().keySet().containsAll(java.util.List.of("run", "check-config", "migrate", "help")));
        for (CommandLine c : cli.getSubcommands().values()) {
            String flat = c.getUsageMessage().replaceAll("\\s+", " ");
            assertTrue(flat.contains("Usage: pi-gateway " + c.getCommandName() + " "), flat);
            for (var option : c.getCommandSpec().options()) {
                for (String line : option.description()) {
                    String expanded = line.replace("${DEFAULT-VALUE}", String.valueOf(option.defaultValue()));
                    assertTrue(flat.contains(expanded.replaceAll("\\s+", " ")), c.getCommandName() + ": " + expanded
                            + " is broken in\n" + c.getUsageMessage());
                }
            }
        }
    }
}
