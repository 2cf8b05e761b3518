package io.pigateway.gateway.store;

import static io.pigateway.gateway.store.Fixtures.await;
import static io.pigateway.gateway.store.Fixtures.batch;
import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pigateway.common.Settings;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/README.md section 3, followed literally on a fresh database: its shell block runs as written
 * in bash, and its configuration lines are the gateway's configuration. Only the machine around the
 * commands is stood in for, by shell functions: {@code sudo} runs the command as this user,
 * {@code install} drops the owner (the package's users do not exist here), {@code mysql} is the
 * MariaDB client signed in as the test server's administrator, {@code pi-gateway} runs this build's
 * GatewayMain, and /etc/pi-gateway and /usr/share/pi-gateway name a temporary directory and deploy/.
 *
 * <p>The README's account and database names are used as they are ({@code pi}, {@code gateway},
 * {@code pi_migrate}, {@code grafana}), so this runs only against the server the tests started.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DatabaseSetupIT {
    private static final TestStores DB = TestStores.shared();
    private static final Path README = Path.of("..", "deploy", "README.md");
    private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    private static final Pattern SHELL_BLOCK = Pattern.compile(
            "<!-- database-setup: [^>]*-->\n```sh\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CONFIG_BLOCK = Pattern.compile(
            "<!-- database-setup-config: [^>]*-->\n```ini\n(.*?)```", Pattern.DOTALL);
    private static final List<String> CLEAN_UP = List.of("DROP DATABASE IF EXISTS pi",
            "DROP USER IF EXISTS 'gateway'@'127.0.0.1'", "DROP USER IF EXISTS 'grafana'@'127.0.0.1'",
            "DROP USER IF EXISTS 'pi_migrate'@'127.0.0.1'");

    @TempDir
    Path dir;

    private StoreConfig admin;

    @AfterEach
    void dropWhatTheStepsMade() throws SQLException {
        if (admin != null) {
            run(admin, CLEAN_UP);
        }
    }

    @Test
    void theDocumentedStepsOnAFreshServerLeaveASchemaTheLeastPrivilegeAccountWritesInCheckMode() throws Exception {
        assumeTrue(DB.server().canStopServer(), "creates the README's accounts, so only on the server the tests started");
        admin = DB.freshSchema(dir);
        run(admin, CLEAN_UP);
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        Path etc = Files.createDirectories(dir.resolve("etc"));
        // The package installs an empty devices file, which the configuration names; the port is the test server's.
        Path devices = Files.createFile(etc.resolve("devices"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(etc.resolve("gateway.conf"), block(CONFIG_BLOCK, readme)
                .replace("/etc/pi-gateway", etc.toString()) + "store.port = " + DB.server().port() + "\n"
                + "auth.devices-file = " + devices + "\n");
        Path cnf = dir.resolve("admin.cnf");
        Files.createFile(cnf, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(cnf, "[client]\nuser=" + admin.user() + "\npassword="
                + Files.readString(admin.passwordFile()).strip() + "\nhost=127.0.0.1\nport=" + DB.server().port() + "\n");

        Process p = new ProcessBuilder("bash", "-c", prelude(etc, cnf) + block(SHELL_BLOCK, readme))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS));
        System.out.println(output);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("applied migration 001 (initial schema)"), output);
        for (String f : List.of("db-password", "migrate-password", "grafana-db-password")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(etc.resolve(f))), f);
            assertTrue(Files.readString(etc.resolve(f)).matches("[A-Za-z0-9]{32}"), f);
        }

        // The gateway as section 4 configures it: the gateway account, store.migrate = check.
        StoreConfig store = GatewayConfig.from(Settings.load(etc.resolve("gateway.conf"))).store();
        assertEquals("gateway", store.user());
        assertEquals(StoreConfig.MigrationMode.CHECK, store.migrate());
        try (Store s = Store.open(store, Fixtures.writers())) {
            await(s.recordSession(Fixtures.session("pi-1", 1)));
            await(submit(s, batch("pi-1", 1, 1, 10)));
        }
        StoreConfig pi = new StoreConfig(admin.kind(), null, admin.host(), admin.port(), "pi", admin.user(),
                admin.passwordFile(), "", admin.migrate(), admin.connectTimeout());
        assertEquals(10, DB.queryLong(pi, "SELECT COUNT(*) FROM readings"));
        assertEquals(Store.schemaVersion(), DB.queryLong(pi, "SELECT COUNT(*) FROM schema_version"));
    }

    /** Stand-ins for the machine's commands and paths (see the class comment); the block follows unchanged. */
    private static String prelude(Path etc, Path cnf) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return String.join("\n",
                "set -e",
                "ETC='" + etc + "'",
                "SHARE='" + DEPLOY + "'",
                "cd() { builtin cd \"${@//\\/etc\\/pi-gateway/$ETC}\"; }",
                "sudo() { while [ \"${1#-}\" != \"$1\" ]; do if [ \"$1\" = -u ]; then shift; fi; shift; done; \"$@\"; }",
                "install() { local a=(); while [ $# -gt 0 ]; do case $1 in -o|-g) shift 2;; *) a+=(\"$1\"); shift;; esac;"
                        + " done; command install \"${a[@]}\"; }",
                "mysql() { command mariadb --defaults-extra-file='" + cnf + "' \"$@\"; }",
                "sed() { command sed \"${@//\\/usr\\/share\\/pi-gateway/$SHARE}\"; }",
                "pi-gateway() { local sub=$1; shift; '" + java + "' -cp '" + System.getProperty("java.class.path") + "'"
                        + " io.pigateway.gateway.GatewayMain \"$sub\" --config \"$ETC/gateway.conf\""
                        + " \"${@//\\/etc\\/pi-gateway/$ETC}\"; }",
                "");
    }

    private static String block(Pattern p, String readme) {
        Matcher m = p.matcher(readme);
        if (!m.find()) {
            throw new AssertionError(README + " lacks the block " + p.pattern());
        }
        return m.group(1);
    }

    private static void run(StoreConfig store, List<String> statements) throws SQLException {
        try (Connection c = TestStores.connect(store)) {
            for (String sql : statements) {
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    s.execute();
                }
            }
        }
    }
}
