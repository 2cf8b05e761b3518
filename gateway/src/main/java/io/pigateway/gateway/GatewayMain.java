package io.pigateway.gateway;

import io.pigateway.gateway.cli.CheckConfigCommand;
import io.pigateway.gateway.cli.MigrateCommand;
import io.pigateway.gateway.cli.RunCommand;
import org.tinylog.provider.ProviderRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;


/**
 * {@code pi-gateway run}, {@code pi-gateway check-config}, {@code pi-gateway migrate} and {@code pi-gateway help}:
 * the same options, in the same places, as {@code pi-sensor-client}. Exit 0 ok, 1 start-up (or migration)
 * failed, 2 bad command line or configuration.
 */
@Command(name = "pi-gateway", mixinStandardHelpOptions = true, versionProvider = GatewayMain.Version.class,
        usageHelpAutoWidth = true,
        description = "Accepts pi-gateway sensor clients over TCP and commits their readings to MySQL (or an"
                + " embedded store) before acknowledging them.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, MigrateCommand.class,
                CommandLine.HelpCommand.class})
public final class GatewayMain {
    public static final int EXIT_OK = 0;
    public static final int EXIT_START_FAILED = 1;
    public static final int EXIT_BAD_CONFIG = 2;
    /** Prefix of every line this program prints on stderr before logging starts: the installed command. */
    public static final String NAME = "pi-gateway";

    public static void main(String[] args) {
        int code = new CommandLine(new GatewayMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        shutdownLogging();
        System.exit(code);
    }

    /** The version the build wrote into the jar's manifest (Implementation-Version). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GatewayMain.class.getPackage().getImplementationVersion();
            return new String[] {NAME + " " + (v == null ? "(not built as a jar: no version)" : v)};
        }
    }

    public static void shutdownLogging() {
        try {
            ProviderRegistry.getLoggingProvider().shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
