package io.pigateway.gateway.cli;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.gateway.GatewayMain;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code pi-gateway check-config}: what {@code run} would refuse, without running. */
@Command(name = "check-config", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Validate the configuration file; print the effective configuration (exit 0) or the"
                + " error (exit 2).")
public final class CheckConfigCommand extends ConfigFileOptions implements Callable<Integer> {
    @Override
    public Integer call() {
        try {
            Settings settings = settings();
            GatewayConfig config = GatewayConfig.from(settings);
            Path unwritable = null;
            if (config.store().kind() == StoreConfig.Kind.EMBEDDED) {
                unwritable = checkEmbeddedDirectory(settings, config.store());
            }
            System.out.println("# " + this.config + " is valid; effective configuration (key = value  # from):");
            System.out.print(settings.describe());
            // What the values amount to, once read: the files behind them are read and counted.
            System.out.println("# store: " + config.store().describe());
            if (unwritable != null) {
                System.out.println("# warning: " + unwritable + " is not writable for user " + System.getProperty("user.name")
                        + " but belongs to " + owner(unwritable) + ": run the gateway as that user (as its service does)");
            }
            System.out.println("# " + config.auth());
            System.out.println("# " + config.tls().describe());
            for (String warning : config.tls().warnings()) {
                System.out.println("# warning: " + warning);
            }
            return GatewayMain.EXIT_OK;
        } catch (ConfigException e) {
            System.err.println(GatewayMain.NAME + ": " + e.getMessage());
            return GatewayMain.EXIT_BAD_CONFIG;
        }
    }

    /**
     * What {@code run} needs of the embedded store's directory (it exists or can be made, and can be
     * written), as the client's check-config does for its spool: an error, or, when the directory that
     * is not writable belongs to another user (the service's), that directory for a warning.
     */
    public static Path checkEmbeddedDirectory(Settings settings, StoreConfig store) throws ConfigException {
        String problem = store.embeddedDirectoryProblem();
        Path unwritable = problem == null ? store.embeddedUnwritable() : null;
        if (unwritable != null && owner(unwritable).equals(System.getProperty("user.name"))) {
            problem = unwritable + " is not writable for its owner " + owner(unwritable)
                    + ", so run could not create or open the store there";
        }
        if (problem != null) {
            throw settings.invalid("store.embedded-path", store.embeddedPath().toString(), problem);
        }
        return unwritable;
    }

    private static String owner(Path p) {
        try {
            return Files.getOwner(p).getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "another user";
        }
    }
}
