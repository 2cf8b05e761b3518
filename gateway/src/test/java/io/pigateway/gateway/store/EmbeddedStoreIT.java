package io.pigateway.gateway.store;

import static io.pigateway.gateway.store.Fixtures.await;
import static io.pigateway.gateway.store.Fixtures.batch;
import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded H2 store end to end: same schema, same exactly-once rules, data survives a restart. */
class EmbeddedStoreIT {
    @TempDir
    Path dir;

    @Test
    void openSubmitCloseReopenKeepsEveryReadingOnce() throws Exception {
        StoreConfig config = StoreConfig.embedded(dir.resolve("data").resolve("pi-gateway"));
        try (Store store = Store.open(config, Fixtures.writers())) {
            await(store.recordSession(Fixtures.session("dev-1", 7)));
            await(submit(store, batch("dev-1", 7, 1, 100)));
            await(submit(store, batch("dev-1", 7, 51, 100))); // 50 retransmitted
            await(submit(store, batch("dev-1", 8, 1, 10))); // a new stream
            assertEquals(new StoreStats(210, 50, 3, 3, 0), store.stats());
        }
        assertTrue(Files.exists(dir.resolve("data").resolve("pi-gateway.mv.db")));
        assertEquals(160, TestStores.shared().queryLong(config, "SELECT COUNT(*) FROM readings"));

        try (Store store = Store.open(config, Fixtures.writers())) {
            await(submit(store, batch("dev-1", 7, 1, 160)));
            assertEquals(10, store.stats().committedReadings() - store.stats().duplicateReadings());
        }
        assertEquals(170, TestStores.shared().queryLong(config, "SELECT COUNT(*) FROM readings"));
        assertEquals(Migration.all().size(),
                TestStores.shared().queryLong(config, "SELECT COUNT(*) FROM schema_version"),
                "each shipped migration recorded once");
        assertEquals(1, TestStores.shared().queryLong(config, "SELECT COUNT(*) FROM devices"
                + " WHERE last_seen = '2024-05-06 07:08:09.123'"));

        try (Connection c = TestStores.connect(config);
             PreparedStatement s = c.prepareStatement("SELECT device_time, received_at, value FROM readings"
                     + " WHERE stream_id = 8 AND seq = 3");
             ResultSet rs = s.executeQuery()) {
            assertTrue(rs.next());
            assertEquals(LocalDateTime.parse("2021-01-01T00:00:03"), rs.getObject(1, LocalDateTime.class));
            assertEquals(LocalDateTime.parse("2024-05-06T07:08:09.123"), rs.getObject(2, LocalDateTime.class));
            assertEquals(0.75, rs.getDouble(3));
        }
    }
}
