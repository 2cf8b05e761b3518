package io.pigateway.gateway;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.common.Settings;
import io.pigateway.common.systemd.SystemdNotifier;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.tinylog.Logger;
import org.tinylog.configuration.Configuration;
import org.tinylog.provider.ProviderRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gateway run}, {@code gateway check-config} and {@code gateway migrate}. Exit 0 ok, 1 start-up (or
 * migration) failed, 2 bad configuration.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true, version = "pi-gateway 0.1.0",
        description = "Accepts pi-gateway sensor clients over TCP and commits their readings to MySQL (or an"
                + " embedded store) before acknowledging them.",
        subcommands = {GatewayMain.Run.class, GatewayMain.CheckConfig.class, GatewayMain.Migrate.class})
public final class GatewayMain {
    static final int EXIT_OK = 0;
    static final int EXIT_START_FAILED = 1;
    static final int EXIT_BAD_CONFIG = 2;

    public static void main(String[] args) {
        int code = new CommandLine(new GatewayMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        shutdownLogging();
        System.exit(code);
    }

    static class ConfigOption {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "configuration file (default: ${DEFAULT-VALUE})")
        Path config = GatewayConfig.DEFAULT_FILE;

        Settings settings() throws ConfigException {
            return Settings.load(config).withEnvironment(GatewayConfig.ENVIRONMENT_PREFIX, System.getenv());
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the gateway until SIGTERM or Ctrl-C.")
    static final class Run extends ConfigOption implements Callable<Integer> {
        @Option(names = "--log-level", paramLabel = "LEVEL", description = "trace, debug, info, warn or error (overrides log.level)")
        String logLevel;

        @Override
        public Integer call() throws InterruptedException {
            GatewayConfig config;
            try {
                Settings settings = settings();
                configureLogging(logLevel != null ? logLevel : settings.string("log.level", "info"));
                config = GatewayConfig.from(settings);
            } catch (ConfigException e) {
                System.err.println("gateway: " + e.getMessage());
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
            Hangup.handle(gateway::reload); // reads the devices file again (docs/SECURITY.md)
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("gateway-shutdown").unstarted(() -> {
                systemd.stopping();
                gateway.close();
                shutdownLogging();
            }));
            gateway.awaitStopped();
            return EXIT_OK;
        }
    }

    @Command(name = "check-config", mixinStandardHelpOptions = true,
            description = "Validate the configuration file and print the result; exit 2 if it is invalid.")
    static final class CheckConfig extends ConfigOption implements Callable<Integer> {
        @Override
        public Integer call() {
            try {
                Settings settings = settings();
                GatewayConfig config = GatewayConfig.from(settings);
                settings.environmentOverrides().forEach((key, variable) ->
                        System.out.println(key + " from environment variable " + variable));
                System.out.println(config.listen());
                System.out.println(config.limits());
                System.out.println(config.store().describe() + ", migrations " + config.store().migrate().name().toLowerCase(Locale.ROOT));
                System.out.println(config.writer());
                System.out.println(config.auth());
                System.out.println(config.http());
                System.out.println(config.tls().describe());
                for (String warning : config.tls().warnings()) {
                    System.out.println("warning: " + warning);
                }
                System.out.println(this.config + ": OK");
                return EXIT_OK;
            } catch (ConfigException e) {
                System.err.println("gateway: " + e.getMessage());
                return EXIT_BAD_CONFIG;
            }
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
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
                configureLogging("warn");
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
                System.err.println("gateway: " + e.getMessage());
                return EXIT_BAD_CONFIG;
            }
            try {
                List<String> applied = Store.migrate(store);
                applied.forEach(m -> System.out.println("applied migration " + m));
                System.out.println(store.describe() + ": schema at version " + Store.schemaVersion()
                        + (applied.isEmpty() ? ", nothing to apply" : ""));
                return EXIT_OK;
            } catch (StoreException e) {
                System.err.println("gateway: " + e.getMessage());
                return EXIT_START_FAILED;
            }
        }
    }

    static void configureLogging(String level) throws ConfigException {
        String l = level.toLowerCase(Locale.ROOT);
        if (!Set.of("trace", "debug", "info", "warn", "error").contains(l)) {
            throw new ConfigException("log level '" + level + "' is invalid: must be trace, debug, info, warn or error");
        }
        if (!Configuration.isFrozen()) {
            Configuration.set("level", l);
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
