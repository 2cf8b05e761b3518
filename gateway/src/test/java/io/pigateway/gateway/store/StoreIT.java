package io.pigateway.gateway.store;

import static io.pigateway.gateway.store.Fixtures.await;
import static io.pigateway.gateway.store.Fixtures.batch;
import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Submit and commit on MariaDB: what lands in the tables, once. */
class StoreIT {
    private static final TestStores DB = TestStores.shared();

    @TempDir
    Path dir;
    StoreConfig config;
    Store store;

    @BeforeEach
    void open() throws Exception {
        config = DB.freshSchema(dir);
        store = Store.open(config, Fixtures.writers());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private long rows() throws SQLException {
        return DB.queryLong(config, "SELECT COUNT(*) FROM readings");
    }

    @Test
    void committedReadingsLandWithDeviceTimeAndReceivedTimeInUtc() throws Exception {
        await(store.recordSession(Fixtures.session("dev-1", 7)));
        CompletableFuture<Void> done = submit(store, batch("dev-1", 7, 1, 10));
        await(done);

        assertEquals(10, rows());
        try (Connection c = TestStores.connect(config);
             PreparedStatement s = c.prepareStatement("SELECT device_id, stream_id, sensor, value, device_time,"
                     + " received_at FROM readings WHERE seq = 3");
             ResultSet rs = s.executeQuery()) {
            assertTrue(rs.next());
            assertEquals("dev-1", rs.getString(1));
            assertEquals(7, rs.getLong(2));
            assertEquals("humidity", rs.getString(3));
            assertEquals(0.75, rs.getDouble(4));
            assertEquals(LocalDateTime.parse("2021-01-01T00:00:03"), rs.getObject(5, LocalDateTime.class));
            // Fixtures.RECEIVED_AT has microseconds; the column keeps milliseconds, cut, not rounded.
            assertEquals(LocalDateTime.parse("2024-05-06T07:08:09.123"), rs.getObject(6, LocalDateTime.class));
        }
        assertEquals(1, DB.queryLong(config, "SELECT COUNT(*) FROM devices WHERE device_id = 'dev-1'"
                + " AND last_seen = '2024-05-06 07:08:09.123'"), "last_seen moved to the batch's receivedAt");
        assertEquals(new StoreStats(10, 0, 1, 1, 0), stats());
    }

    @Test
    void lastSeenMovesForwardAtMostOnceASecondPerDevice() throws Exception {
        await(store.recordSession(Fixtures.session("dev-1", 7)));
        List<Reading> one = List.of(new Reading(1, "temp", Fixtures.SAMPLED_AT, 1.0));
        await(submit(store, new ReadingBatch("dev-1", 7, Fixtures.RECEIVED_AT, one)));
        List<Reading> two = List.of(new Reading(2, "temp", Fixtures.SAMPLED_AT, 1.0));
        await(submit(store, new ReadingBatch("dev-1", 7, Fixtures.RECEIVED_AT.plusMillis(900), two)));
        assertEquals(1, DB.queryLong(config, "SELECT COUNT(*) FROM devices WHERE last_seen = '2024-05-06 07:08:09.123'"),
                "a frame 0.9 s later leaves last_seen alone");
        List<Reading> three = List.of(new Reading(3, "temp", Fixtures.SAMPLED_AT, 1.0));
        await(submit(store, new ReadingBatch("dev-1", 7, Fixtures.RECEIVED_AT.plusMillis(1000), three)));
        assertEquals(1, DB.queryLong(config, "SELECT COUNT(*) FROM devices WHERE last_seen = '2024-05-06 07:08:10.123'"),
                "a frame a second after the written time moves it");
    }

    @Test
    void resubmittedBatchAddsNoRowsAndCompletesNormally() throws Exception {
        await(submit(store, batch("dev-1", 7, 1, 10)));
        await(submit(store, batch("dev-1", 7, 1, 10)));
        await(submit(store, batch("dev-1", 7, 6, 10))); // half old, half new

        assertEquals(15, rows());
        assertEquals(15, DB.queryLong(config, "SELECT COUNT(DISTINCT device_id, stream_id, seq) FROM readings"));
        StoreStats s = stats();
        assertEquals(30, s.committedReadings());
        assertEquals(15, s.duplicateReadings());
    }

    @Test
    void duplicatesInsideOneTransactionAreSkippedToo() throws Exception {
        // Queued together, so a writer very likely groups them into one INSERT.
        CompletableFuture<Void> a = submit(store, batch("dev-1", 7, 1, 50));
        CompletableFuture<Void> b = submit(store, batch("dev-1", 7, 1, 50));
        await(a);
        await(b);
        assertEquals(50, rows());
        assertEquals(50, stats().duplicateReadings());
    }

    @Test
    void sameSeqsOnANewStreamAreANewStreamAndAreInserted() throws Exception {
        await(submit(store, batch("dev-1", 7, 1, 10)));
        await(submit(store, batch("dev-1", 8, 1, 10)));
        await(submit(store, batch("dev-2", 7, 1, 10)));
        assertEquals(30, rows());
        assertEquals(0, stats().duplicateReadings());
    }

    @Test
    void sessionsUpsertTheDeviceAndKeepEveryConnection() throws Exception {
        Instant first = Instant.parse("2024-01-01T00:00:00Z");
        await(store.recordSession(new SessionStart("dev-1", 1, "10.0.0.5:5000", first, 0, first.toEpochMilli(), List.of())));
        await(store.recordSession(new SessionStart("dev-1", 2, "10.0.0.6:6000", first.plusSeconds(60),
                first.toEpochMilli() + 60_000 - 250, 250, List.of())));
        // A clock beyond DATETIME's range is kept as NULL rather than failing the handshake.
        await(store.recordSession(new SessionStart("dev-2", 3, "[::1]:7000", first, Long.MAX_VALUE, 0, List.of())));

        assertEquals(2, DB.queryLong(config, "SELECT COUNT(*) FROM devices"));
        assertEquals(1, DB.queryLong(config, "SELECT COUNT(*) FROM devices WHERE device_id = 'dev-1'"
                + " AND first_seen = '2024-01-01 00:00:00' AND last_seen = '2024-01-01 00:01:00'"
                + " AND last_address = '10.0.0.6' AND last_stream_id = 2 AND last_clock_offset_ms = 250"));
        assertEquals(1, DB.queryLong(config, "SELECT COUNT(*) FROM devices WHERE device_id = 'dev-2' AND last_address = '::1'"));
        assertEquals(1, DB.queryLong(config, "SELECT COUNT(*) FROM connections WHERE device_id = 'dev-1'"
                + " AND stream_id = 2 AND peer_address = '10.0.0.6:6000'"));
        assertEquals(3, DB.queryLong(config, "SELECT COUNT(*) FROM connections"));
        assertEquals(1, DB.queryLong(config, "SELECT COUNT(*) FROM connections WHERE device_id = 'dev-1'"
                + " AND stream_id = 1 AND device_clock = '1970-01-01 00:00:00'"), "a Pi without RTC reports 1970");
        assertEquals(1, DB.queryLong(config, "SELECT COUNT(*) FROM connections WHERE device_id = 'dev-2'"
                + " AND device_clock IS NULL"));
    }

    @Test
    void announcedSensorsAreRecordedAndFollowTheLatestAnnouncement() throws Exception {
        Instant first = Instant.parse("2024-01-01T00:00:00Z");
        await(store.recordSession(new SessionStart("dev-1", 1, "x", first, 0, 0, List.of(
                new SensorInfo("air", "°C", "bme280.temperature", false),
                new SensorInfo("door", "", "simulated.toggle", true)))));
        await(store.recordSession(new SessionStart("dev-1", 1, "x", first.plusSeconds(60), 0, 0, List.of(
                new SensorInfo("air", "K", "bme280.temperature", false)))));
        assertEquals(2, DB.queryLong(config, "SELECT COUNT(*) FROM sensors WHERE device_id = 'dev-1'"));
        assertEquals(1, DB.queryLong(config, "SELECT COUNT(*) FROM sensors WHERE sensor = 'air' AND unit = 'K'"
                + " AND first_announced = '2024-01-01 00:00:00' AND last_announced = '2024-01-01 00:01:00'"));
        assertEquals(1, DB.queryLong(config, "SELECT COUNT(*) FROM sensors WHERE sensor = 'door' AND simulated"
                + " AND kind = 'simulated.toggle'"));
        await(store.recordSession(new SessionStart("dev-2", 1, "x", first, 0, 0, List.of(
                new SensorInfo("air", "°C", "bme280.temperature", false)))));
        assertEquals(1, DB.queryLong(config, "SELECT COUNT(*) FROM sensors WHERE device_id = 'dev-2' AND unit = ?", "°C"));
    }

    @Test
    void lastSeenNeverMovesBackwards() throws Exception {
        await(store.recordSession(Fixtures.session("dev-1", 7)));
        await(submit(store, batch("dev-1", 7, 1, 1)));
        // A late-recorded handshake with an older time must not pull last_seen back.
        await(store.recordSession(new SessionStart("dev-1", 7, "x", Instant.parse("2020-01-01T00:00:00Z"), 0, 0, List.of())));
        assertEquals(1, DB.queryLong(config, "SELECT COUNT(*) FROM devices WHERE last_seen = '2024-05-06 07:08:09.123'"));
    }

    @Test
    void batchWithAValueNoColumnHoldsFailsAloneWithoutTouchingOthers() throws Exception {
        ReadingBatch bad = new ReadingBatch("dev-1", 7, Instant.now(),
                List.of(new Reading(1, "temp", 0, Double.NaN)));
        CompletableFuture<Void> refused = submit(store, bad);
        CompletableFuture<Void> fine = submit(store, batch("dev-2", 7, 1, 5));
        ExecutionException e = assertThrows(ExecutionException.class, refused::get);
        assertInstanceOf(StoreException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("NaN"), e.getCause().getMessage());
        await(fine);
        assertEquals(5, rows());
        assertEquals(0, store.queueDepth());
    }

    @Test
    void dataErrorsStillFailTheStatementDespiteOnDuplicateKeyUpdate() throws Exception {
        // Bypasses the store's own check to prove the INSERT does not downgrade errors to warnings like IGNORE would.
        ReadingBatch tooLong = new ReadingBatch("dev-1", 7, Instant.now(), List.of(new Reading(1, "s".repeat(65), 0, 1)));
        try (Connection c = ConnectionSource.of(config).open()) {
            assertThrows(SQLException.class, () -> WriteSql.insertReadings(c, List.of(tooLong)));
            c.rollback();
        }
        assertEquals(0, rows());
    }

    @Test
    void queueIsEmptyAndStoreHealthyAfterCommits() throws Exception {
        for (int i = 0; i < 5; i++) {
            await(submit(store, batch("dev-1", 7, i * 10 + 1, 10)));
        }
        assertEquals(0, store.queueDepth());
        assertTrue(store.healthy());
    }

    @Test
    void writerConnectionsWaitLongerForStatementsThanTheConnectTimeout() throws Exception {
        try (Connection c = ConnectionSource.of(config).open()) {
            assertEquals(ConnectionSource.SOCKET_TIMEOUT.toMillis(), c.getNetworkTimeout());
            assertEquals(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation());
            assertTrue(!c.getAutoCommit());
        }
    }

    private StoreStats stats() {
        return store.stats();
    }
}
