package io.pigateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code gateway migrate} as an administrator runs it: the packaged jar, a configuration, an account. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MigrateCommandIT {
    private static final TestStores DB = TestStores.shared();

    record Result(int exit, String output) { }

    static Result migrate(Path config, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", GatewayProcessIT.JAR.toString(), "migrate", "--config", config.toString()));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "migrate did not finish");
        return new Result(p.exitValue(), out);
    }

    /** The gateway's configuration naming an account that may not change the schema; the admin is given apart. */
    private static Path config(Path dir, StoreConfig store) throws Exception {
        Path devices = Files.createFile(dir.resolve("devices"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(dir.resolve("gateway.conf"), String.join("\n",
                "store.type = mysql", "store.host = " + store.host(), "store.port = " + store.port(),
                "store.database = " + store.database(), "store.user = nobody-may-migrate",
                "store.password-file = " + store.passwordFile(), "store.migrate = check",
                "auth.devices-file = " + devices, ""));
    }

    @Test
    void appliesEveryMigrationWithTheGivenAccountThenNothing(@TempDir Path dir) throws Exception {
        StoreConfig admin = DB.freshSchema(dir);
        Path config = config(dir, admin);
        Result first = migrate(config, "--user", admin.user(), "--password-file", admin.passwordFile().toString());
        assertEquals(0, first.exit(), first.output());
        assertTrue(first.output().contains("applied migration 001 (initial schema)\napplied migration 002 (sensors)\n"),
                first.output());
        assertTrue(first.output().contains(admin.user() + "@"), "names the account it used: " + first.output());
        Result again = migrate(config, "--user", admin.user(), "--password-file", admin.passwordFile().toString());
        assertEquals(0, again.exit(), again.output());
        assertTrue(again.output().contains("nothing to apply") && !again.output().contains("applied migration"),
                again.output());
        assertEquals(io.pigateway.gateway.store.Store.schemaVersion(),
                DB.queryLong(admin, "SELECT COUNT(*) FROM schema_version"));
    }

    @Test
    void aUserWithoutItsPasswordFileOrAPasswordFileOthersMayReadIsABadCommandLine(@TempDir Path dir) throws Exception {
        StoreConfig admin = DB.freshSchema(dir);
        Path config = config(dir, admin);
        Result noFile = migrate(config, "--user", admin.user());
        assertEquals(2, noFile.exit(), noFile.output());
        assertTrue(noFile.output().contains("--user and --password-file go together"), noFile.output());

        Path open = Files.writeString(dir.resolve("open-password"), "secret\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        Result readable = migrate(config, "--user", admin.user(), "--password-file", open.toString());
        assertEquals(2, readable.exit(), readable.output());
        assertTrue(readable.output().contains(open.toString()) && readable.output().contains("0644"), readable.output());
        assertEquals(0, DB.queryLong(admin, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ?",
                admin.database()), "nothing was applied");
    }
}
