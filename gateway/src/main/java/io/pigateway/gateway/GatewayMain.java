package io.pigateway.gateway;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.common.logging.LogLevel;
import io.pigateway.common.Settings;
import io.pigateway.common.systemd.SystemdNotifier;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tinylog.Logger;
import org.tinylog.provider.ProviderRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pi-gateway run}, {@code pi-gateway check-config}, {@code pi-gateway migrate} and {@code pi-gateway help}:
 * the same options, in the same places, as {@code pi-sensor-client}. Exit 0 ok, 1 start-up (or migration)
 * failed, 2 bad command line or configuration.
 */
@Command(name = "pi-gateway", mixinStandardHelpOptions = true, versionProvider = GatewayMain.Version.class,
        usageHelpAutoWidth = true,
        description = "Accepts pi-gateway sensor clients over TCP and commits their readings to MySQL (or an"
                + " embedded store) before acknowledging them.",
        subcommands = {GatewayMain.Run.class, GatewayMain.CheckConfig.class, GatewayMain.Migrate.class,
                CommandLine.HelpCommand.class})
public final class GatewayMain {
    static final int EXIT_OK = 0;
    static final int EXIT_START_FAILED = 1;
    static final int EXIT_BAD_CONFIG = 2;
    /** Prefix of every line this program prints on stderr before logging starts: the installed command. */
    static final String NAME = "pi-gateway";

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

    static class ConfigOption {
        // The default on a line of its own: picocli breaks a word longer than the space left on a line.
        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = {"configuration file", "(default: ${DEFAULT-VALUE})"})
        Path config = GatewayConfig.DEFAULT_FILE;

        Settings settings() throws ConfigException {
            return Settings.load(config).withEnvironment(GatewayConfig.ENVIRONMENT_PREFIX, System.getenv());
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Run the gateway until stopped (SIGTERM, Ctrl-C).")
    static final class Run extends ConfigOption implements Callable<Integer> {
        @Option(names = "--log-level", paramLabel = "LEVEL",
                description = {"trace, debug, info, warn or error", "(default: log.level, else info)"})
        LogLevel logLevel;

        @Override
        public Integer call() throws InterruptedException {
            GatewayConfig config;
            try {
                Settings settings = settings();
                if (logLevel != null) {
                    settings = settings.with(Map.of("log.level", logLevel.key()));
                }
                settings.choice("log.level", LogLevel.class, LogLevel.INFO).apply(NAME);
                config = GatewayConfig.from(settings);
            } catch (ConfigException e) {
                System.err.println(NAME + ": " + e.getMessage());
                return EXIT_BAD_CONFIG;
            }
            Gateway gateway;
            try {
                gateway = Gateway.start(config);
            } catch (StoreException | IOException e) {
                Logger.error("start-up failed: {}", e.getMessage());
                return EXIT_START_FAILED;
            }
            SystemdSupervision systemd = SystemdSupervision.ready(gateway, SystemdNotifier.fromEnvironment());
            Hangup.handle(gateway::reload); // reads the devices file and the TLS files again (docs/SECURITY.md, docs/TLS.md)
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("gateway-shutdown").unstarted(() -> {
                systemd.stopping();
                gateway.close();
                shutdownLogging();
            }));
            gateway.awaitStopped();
            return EXIT_OK;
        }
    }

    @Command(name = "check-config", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Validate the configuration file; print the effective configuration (exit 0) or the"
                    + " error (exit 2).")
    static final class CheckConfig extends ConfigOption implements Callable<Integer> {
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
                return EXIT_OK;
            } catch (ConfigException e) {
                System.err.println(NAME + ": " + e.getMessage());
                return EXIT_BAD_CONFIG;
            }
        }
    }

    /**
     * What {@code run} needs of the embedded store's directory (it exists or can be made, and can be
     * written), as the client's check-config does for its spool: an error, or, when the directory that
     * is not writable belongs to another user (the service's), that directory for a warning.
     */
    static Path checkEmbeddedDirectory(Settings settings, StoreConfig store) throws ConfigException {
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

    @Command(name = "migrate", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Apply the missing schema migrations to the configured database and exit: with an"
                    + " administrator account, so that the gateway's own account needs no right to change the schema"
                    + " (store.migrate = check). Prints each migration applied. Safe while another gateway or"
                    + " migrate starts on the same database (a database lock orders them)."})
    static final class Migrate extends ConfigOption implements Callable<Integer> {
        @Option(names = "--user", paramLabel = "NAME",
                description = "the account to migrate with, instead of store.user (e.g. pi_migrate)")
        String user;

        @Option(names = "--password-file", paramLabel = "FILE",
                description = "its password, the file's first line (mode 0600), instead of store.password-file")
        Path passwordFile;

        @Override
        public Integer call() {
            StoreConfig store;
            try {
                LogLevel.WARN.apply(NAME);
                store = GatewayConfig.from(settings()).store();
                if (user != null || passwordFile != null) {
                    if (store.kind() != StoreConfig.Kind.MYSQL) {
                        throw new ConfigException("--user and --password-file are for store.type = mysql; the embedded"
                                + " store has no accounts");
                    }
                    if (user == null || passwordFile == null) {
                        throw new ConfigException("--user and --password-file go together: the account to migrate"
                                + " with and its password file");
                    }
                    SecretFile.at(passwordFile).check();
                    store = new StoreConfig(store.kind(), null, store.host(), store.port(), store.database(), user,
                            passwordFile, store.jdbcOptions(), StoreConfig.MigrationMode.APPLY, store.connectTimeout());
                }
            } catch (ConfigException e) {
                System.err.println(NAME + ": " + e.getMessage());
                return EXIT_BAD_CONFIG;
            }
            try {
                List<String> applied = Store.migrate(store);
                applied.forEach(m -> System.out.println("applied migration " + m));
                System.out.println(store.describe() + ": schema at version " + Store.schemaVersion()
                        + (applied.isEmpty() ? ", nothing to apply" : ""));
                return EXIT_OK;
            } catch (StoreException e) {
                System.err.println(NAME + ": " + e.getMessage());
                return EXIT_START_FAILED;
            }
        }
    }

    private static void shutdownLogging() {
        try {
            ProviderRegistry.getLoggingProvider().shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
