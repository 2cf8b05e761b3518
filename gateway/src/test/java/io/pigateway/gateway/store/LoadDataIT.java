package io.pigateway.gateway.store;

import static io.pigateway.gateway.store.Fixtures.await;
import static io.pigateway.gateway.store.Fixtures.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.protocol.Reading;
import io.pigateway.testing.CapturedLog;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code writer.insert-method = load-data} (the default) on a real server: what the INSERTs guarantee
 * holds for the LOAD DATA LOCAL stream too, and the driver sends the server no file.
 */
class LoadDataIT {
    private static final TestStores DB = TestStores.shared();

    @RegisterExtension
    final CapturedLog log = CapturedLog.eachTest();
    @TempDir
    Path dir;
    Store store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private StoreConfig open() throws Exception {
        StoreConfig config = DB.freshSchema(dir);
        store = Store.open(config, Fixtures.writers());
        return config;
    }

    private static long globalStatus(StoreConfig config, String name) throws SQLException {
        try (Connection c = TestStores.connect(config); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE '" + name + "'")) {
            assertTrue(rs.next(), name);
            return rs.getLong(2);
        }
    }

    @Test
    void everyValueTimeAndNameReadsBackExactlyAfterGoingThroughLoadData() throws Exception {
        StoreConfig config = open();
        double[] values = {0.1, -0.0, 1e-300, -1.7976931348623157e308, 123456789.123456789, 4.9e-324, 21.5};
        long[] times = {0L, 1L, -30_610_224_000_000L, 253_402_300_799_999L, 1_733_000_000_123L, 86_399_999L, -1L};
        String[] sensors = {"back\\slash", "tab\there", "new\nline", "temp\u00e9rature", "\\N", "nul\u0000", "plain"};
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            readings.add(new Reading(i + 1, sensors[i], times[i], values[i]));
        }
        long loads = globalStatus(config, "Com_load");
        long showWarnings = globalStatus(config, "Com_show_warnings");

        await(store.submit(new ReadingBatch("dev-\\1", -5, Fixtures.RECEIVED_AT, readings), Duration.ofSeconds(10)));

        assertEquals(loads + 1, globalStatus(config, "Com_load"), "one LOAD DATA for the group");
        assertEquals(showWarnings, globalStatus(config, "Com_show_warnings"),
                "no SHOW WARNINGS round trip when the server reported none");
        try (Connection c = TestStores.connect(config);
             PreparedStatement s = c.prepareStatement("SELECT device_id, stream_id, sensor, value, device_time"
                     + " FROM readings WHERE seq = ?")) {
            for (int i = 0; i < values.length; i++) {
                s.setLong(1, i + 1);
                try (ResultSet rs = s.executeQuery()) {
                    assertTrue(rs.next(), "seq " + (i + 1));
                    assertEquals("dev-\\1", rs.getString(1));
                    assertEquals(-5, rs.getLong(2));
                    assertEquals(sensors[i], rs.getString(3));
                    assertEquals(Double.doubleToLongBits(values[i] == -0.0 ? 0.0 : values[i]),
                            Double.doubleToLongBits(rs.getDouble(4) == -0.0 ? 0.0 : rs.getDouble(4)), "value of seq " + (i + 1));
                    assertEquals(LocalDateTime.ofInstant(Instant.ofEpochMilli(times[i]), ZoneOffset.UTC),
                            rs.getObject(5, LocalDateTime.class), "device time of seq " + (i + 1));
                }
            }
        }
    }

    @Test
    void resentReadingsAreSkippedAndCountedAsDuplicates() throws Exception {
        StoreConfig config = open();
        await(store.submit(batch("dev-1", 7, 1, 100), Duration.ofSeconds(10)));
        // 100 stored again (more than the 64 warnings a server lists) plus 50 new ones
        await(store.submit(batch("dev-1", 7, 1, 150), Duration.ofSeconds(10)));

        assertEquals(150, DB.queryLong(config, "SELECT COUNT(*) FROM readings"));
        assertEquals(250, store.stats().committedReadings());
        assertEquals(100, store.stats().duplicateReadings());
    }

    @Test
    void aValueTheServerWouldChangeIsRefusedWhileTheRestOfTheGroupCommits() throws Exception {
        StoreConfig config = open();
        DB.execute(config, "ALTER TABLE readings MODIFY sensor VARCHAR(8) NOT NULL");
        List<Reading> tooLong = List.of(new Reading(1, "sensor-name-too-long", 1_000L, 1.0));
        CompletableFuture<Void> bad = store.submit(new ReadingBatch("dev-bad", 1, Fixtures.RECEIVED_AT, tooLong),
                Duration.ofSeconds(10));
        CompletableFuture<Void> good = store.submit(batch("dev-good", 1, 1, 10), Duration.ofSeconds(10));

        ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(20, TimeUnit.SECONDS));
        assertInstanceOf(StoreRefusedException.class, e.getCause(), e.getCause().toString());
        assertTrue(e.getCause().getMessage().contains("1406") || e.getCause().getMessage().contains("1265"),
                "names the server's code: " + e.getCause().getMessage());
        await(good);
        assertEquals(0, DB.queryLong(config, "SELECT COUNT(*) FROM readings WHERE device_id = 'dev-bad'"),
                "nothing of the refused frame is stored, not even cut short");
        assertEquals(10, DB.queryLong(config, "SELECT COUNT(*) FROM readings WHERE device_id = 'dev-good'"));
    }

    @Test
    void theDriverGivesTheServerNoLocalFile() throws Exception {
        StoreConfig config = open();
        ConnectionSource source = ConnectionSource.of(config, WriterConfig.InsertMethod.LOAD_DATA);
        try (Connection c = source.open(); Statement s = c.createStatement()) {
            assertTrue(source.loadData(c));
            SQLException refused = assertThrows(SQLException.class, () -> s.executeUpdate(
                    "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE readings (device_id)"));
            assertTrue(refused.getMessage().contains("safe path"), refused.getMessage());
        }
        assertEquals(0, DB.queryLong(config, "SELECT COUNT(*) FROM readings"));
    }

    @Test
    void aServerWithoutLocalInfileGetsInsertsAndTheOperatorIsToldOnce() throws Exception {
        StoreConfig config = DB.freshSchema(dir);
        long before;
        DB.execute(config, "SET GLOBAL local_infile = 0");
        try {
            before = globalStatus(config, "Com_load");
            store = Store.open(config, Fixtures.writers());
            await(store.submit(batch("dev-1", 7, 1, 10), Duration.ofSeconds(10)));
            await(store.submit(batch("dev-1", 7, 11, 10), Duration.ofSeconds(10)));
        } finally {
            DB.execute(config, "SET GLOBAL local_infile = 1");
        }
        assertEquals(20, DB.queryLong(config, "SELECT COUNT(*) FROM readings"));
        assertEquals(before, globalStatus(config, "Com_load"), "no LOAD DATA was tried");
        assertEquals(1, log.lines("local_infile = OFF", "writer.insert-method").size(), log.lines().toString());
    }

    @Test
    void insertMethodInsertNeverUsesLoadData() throws Exception {
        StoreConfig config = DB.freshSchema(dir);
        long before = globalStatus(config, "Com_load");
        store = Store.open(config, Fixtures.writers().withInsertMethod(WriterConfig.InsertMethod.INSERT));
        await(store.submit(batch("dev-1", 7, 1, 10), Duration.ofSeconds(10)));
        assertEquals(10, DB.queryLong(config, "SELECT COUNT(*) FROM readings"));
        assertEquals(before, globalStatus(config, "Com_load"));
        assertFalse(log.lines().stream().anyMatch(l -> l.contains("local_infile")));
    }
}
