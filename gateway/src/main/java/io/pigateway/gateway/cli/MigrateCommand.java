package io.pigateway.gateway.cli;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.gateway.GatewayMain;
import io.pigateway.common.SecretFile;
import io.pigateway.common.logging.LogLevel;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.store.StoreException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pi-gateway migrate}: the schema migrations with an administrator account, then exit. */
@Command(name = "migrate", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Apply the missing schema migrations to the configured database and exit: with an"
                + " administrator account, so that the gateway's own account needs no right to change the schema"
                + " (store.migrate = check). Prints each migration applied. Safe while another gateway or"
                + " migrate starts on the same database (a database lock orders them)."})
public final class MigrateCommand extends ConfigFileOptions implements Callable<Integer> {
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
            LogLevel.WARN.apply(GatewayMain.NAME);
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
            System.err.println(GatewayMain.NAME + ": " + e.getMessage());
            return GatewayMain.EXIT_BAD_CONFIG;
        }
        try {
            List<String> applied = Store.migrate(store);
            applied.forEach(m -> System.out.println("applied migration " + m));
            System.out.println(store.describe() + ": schema at version " + Store.schemaVersion()
                    + (applied.isEmpty() ? ", nothing to apply" : ""));
            return GatewayMain.EXIT_OK;
        } catch (StoreException e) {
            System.err.println(GatewayMain.NAME + ": " + e.getMessage());
            return GatewayMain.EXIT_START_FAILED;
        }
    }
}
