package io.pigateway.gateway.store;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.StoreConfig.MigrationMode;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code deploy/sql/users.sql} applied to a test database the way an administrator applies it:
 * placeholders replaced, run as root. The accounts get names of their own ({@code gw_}, {@code gf_},
 * {@code mg_} and the database name), so tests never touch a real {@code gateway} account.
 */
final class DatabaseAccounts implements AutoCloseable {
    static final Path USERS_SQL = Path.of("..", "deploy", "sql", "users.sql");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\b(GATEWAY|GRAFANA|MIGRATE)_(HOST|PASSWORD)\\b");
    private static final Pattern MIGRATE_BLOCK = Pattern.compile(
            "-- BEGIN optional migrate account\n(.*?)-- END optional migrate account", Pattern.DOTALL);
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final StoreConfig admin;
    private final String host;
    private final List<String> users;
    final StoreConfig gateway;
    final StoreConfig grafana;
    final StoreConfig migrate;

    private DatabaseAccounts(StoreConfig admin, String host, StoreConfig gateway, StoreConfig grafana,
                             StoreConfig migrate) {
        this.admin = admin;
        this.host = host;
        this.gateway = gateway;
        this.grafana = grafana;
        this.migrate = migrate;
        this.users = List.of(gateway.user(), grafana.user(), migrate.user());
    }

    /** The accounts' configurations (nothing created yet; leftovers of an earlier run are dropped). */
    static DatabaseAccounts forDatabase(StoreConfig admin, Path dir) throws IOException, SQLException {
        String db = admin.database();
        // The embedded server sees test clients as 127.0.0.1; an external one may see any address.
        String host = TestDatabase.shared().canStopServer() ? "127.0.0.1" : "%";
        DatabaseAccounts accounts = new DatabaseAccounts(admin, host,
                account(admin, "gw_" + db, dir, MigrationMode.CHECK),
                account(admin, "gf_" + db, dir, MigrationMode.CHECK),
                account(admin, "mg_" + db, dir, MigrationMode.APPLY));
        accounts.dropUsers();
        return accounts;
    }

    /** Runs users.sql as shipped: the gateway and grafana accounts (the migrate account stays commented out). */
    void createGatewayAndGrafana() throws IOException, SQLException {
        run(Files.readString(USERS_SQL, StandardCharsets.UTF_8));
    }

    /** Runs only the optional migrate account's block, uncommented, as an admin does before migrating. */
    void createMigrateAccount() throws IOException, SQLException {
        Matcher block = MIGRATE_BLOCK.matcher(Files.readString(USERS_SQL, StandardCharsets.UTF_8));
        if (!block.find()) {
            throw new AssertionError(USERS_SQL + " lacks the optional migrate account block");
        }
        run(block.group(1).replaceAll("(?m)^-- ", ""));
    }

    private void run(String script) throws IOException, SQLException {
        script = script.replace("`pi`.", "`" + admin.database() + "`.")
                .replace("'gateway'@'GATEWAY_HOST'", quote(gateway.user(), host))
                .replace("'grafana'@'GRAFANA_HOST'", quote(grafana.user(), host))
                .replace("'pi_migrate'@'MIGRATE_HOST'", quote(migrate.user(), host))
                .replace("'GATEWAY_PASSWORD'", "'" + password(gateway) + "'")
                .replace("'GRAFANA_PASSWORD'", "'" + password(grafana) + "'")
                .replace("'MIGRATE_PASSWORD'", "'" + password(migrate) + "'");
        List<String> statements = SqlScript.statements(script);
        for (String sql : statements) {
            if (PLACEHOLDER.matcher(sql).find() || sql.contains("`pi`")) {
                throw new AssertionError("a placeholder is left in: " + sql);
            }
        }
        try (Connection c = TestStores.connect(admin)) {
            for (String sql : statements) {
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    s.execute();
                }
            }
        }
    }

    /** The same store with another account, whose password file holds a fresh random password. */
    private static StoreConfig account(StoreConfig admin, String user, Path dir, MigrationMode mode) throws IOException {
        Path passwordFile = dir.resolve(user + ".password");
        Files.deleteIfExists(passwordFile);
        Files.createFile(passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            password.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        return new StoreConfig(admin.kind(), null, admin.host(), admin.port(), admin.database(), user, passwordFile,
                "", mode, admin.connectTimeout());
    }

    private static String password(StoreConfig account) throws IOException {
        return Files.readString(account.passwordFile(), StandardCharsets.UTF_8).strip();
    }

    private static String quote(String user, String host) {
        return "'" + user + "'@'" + host + "'";
    }

    private void dropUsers() throws SQLException {
        try (Connection c = TestStores.connect(admin)) {
            for (String user : users) {
                try (PreparedStatement s = c.prepareStatement("DROP USER IF EXISTS " + quote(user, host))) {
                    s.execute();
                }
            }
        }
    }

    @Override
    public void close() throws SQLException {
        dropUsers();
    }
}
