package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up fails, fast and clearly, naming the store and never the password; there is no fallback. */
class OpenFailureIT {
    @TempDir
    Path dir;

    private Path password(String value) throws Exception {
        Path file = dir.resolve("password");
        Files.writeString(file, value + "\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static StoreConfig withTimeout(StoreConfig c, Duration connectTimeout) {
        return new StoreConfig(c.kind(), c.embeddedPath(), c.host(), c.port(), c.database(), c.user(), c.passwordFile(),
                c.jdbcOptions(), c.migrate(), connectTimeout);
    }

    private static StoreException openFails(StoreConfig config, long withinMillis) {
        long started = System.nanoTime();
        StoreException e = assertThrows(StoreException.class, () -> Store.open(config, Fixtures.writers()));
        long took = (System.nanoTime() - started) / 1_000_000;
        assertTrue(took < withinMillis, "took " + took + " ms");
        assertTrue(e.getMessage().contains(config.describe()), e.getMessage());
        return e;
    }

    @Test
    void nothingListeningOnThePortFailsAtOnceNamingHostAndPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StoreException e = openFails(StoreConfig.mysql("127.0.0.1", port, "pi", "gw", password("x")), 3000);
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
        assertInstanceOf(SQLException.class, e.getCause());
    }

    @Test
    void serverThatNeverAnswersFailsAfterTheConnectTimeout() throws Exception {
        // Accepts TCP connections (backlog) but never speaks MySQL.
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            StoreConfig config = withTimeout(StoreConfig.mysql("127.0.0.1", silent.getLocalPort(), "pi", "gw",
                    password("x")), Duration.ofMillis(500));
            openFails(config, 5000);
        }
    }

    @Test
    void wrongPasswordIsRefusedWithoutShowingIt() throws Exception {
        StoreConfig fresh = TestStores.shared().freshSchema(dir);
        StoreConfig config = StoreConfig.mysql(fresh.host(), fresh.port(), fresh.database(), fresh.user(),
                password("hunter2-wrong"));
        StoreException e = openFails(config, 5000);
        assertTrue(e.getMessage().contains("Access denied"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertInstanceOf(SQLException.class, e.getCause());
    }

    @Test
    void missingDatabaseIsNamed() throws Exception {
        StoreConfig fresh = TestStores.shared().freshSchema(dir);
        StoreConfig config = StoreConfig.mysql(fresh.host(), fresh.port(), "no_such_db", fresh.user(),
                fresh.passwordFile());
        StoreException e = openFails(config, 5000);
        assertTrue(e.getMessage().contains("no_such_db"), e.getMessage());
    }

    @Test
    void unreadablePasswordFileIsNamed() {
        Path missing = dir.resolve("missing-password");
        StoreException e = openFails(StoreConfig.mysql("127.0.0.1", 3306, "pi", "gw", missing), 1000);
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
