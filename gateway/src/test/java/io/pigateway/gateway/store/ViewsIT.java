package io.pigateway.gateway.store;

import static io.pigateway.gateway.store.Fixtures.await;
import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dashboard views of {@code 003_views.sql} over readings stored by the real store, on MariaDB
 * and on the embedded H2 store: the same rows on both.
 */
class ViewsIT {
    private static final TestStores DB = TestStores.shared();
    /** 2024-05-06T07:00:00Z; every time below is an offset from it. */
    private static final Instant T0 = Instant.parse("2024-05-06T07:00:00Z");
    /** Device clocks run 2 s behind the gateway's in these readings. */
    private static final long DEVICE_LAG_MS = 2000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "h2"})
    void viewsShowEachReadingTheNewestPerSensorAndWhenDevicesWereLastSeen(String database) throws Exception {
        checkViews(store(database));
    }

    /**
     * On a table of 20,000 readings the views find the newest reading per device and sensor through
     * the readings_by_sensor index, jumping from group to group, rather than reading every row; and
     * the dashboard's time-range query is a range scan of that index.
     */
    @Test
    void viewsUseTheReadingsBySensorIndexOnMariaDb() throws Exception {
        StoreConfig config = DB.freshSchema(dir);
        try (Store store = Store.open(config, Fixtures.writers())) {
            await(store.recordSession(session("dev-0", 1, T0, List.of())));
        }
        // 4 devices x 5 sensors x 1000 readings, 10 per frame (received_at), so ties are everywhere.
        DB.execute(config, "INSERT INTO readings (device_id, stream_id, seq, sensor, value, device_time, received_at)"
                + " WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)"
                + " SELECT CONCAT('dev-', d.i), 1, n.i * 5 + s.i, CONCAT('s', s.i), n.i,"
                + " TIMESTAMPADD(SECOND, n.i, '2024-05-06 07:00:00'),"
                + " TIMESTAMPADD(SECOND, n.i DIV 10 * 10, '2024-05-06 07:00:00')"
                + " FROM n, (SELECT i FROM n WHERE i < 4) d, (SELECT i FROM n WHERE i < 5) s");
        DB.execute(config, "ANALYZE TABLE readings");
        assertEquals(20, DB.queryLong(config, "SELECT COUNT(*) FROM latest_readings"));
        assertEquals(20, DB.queryLong(config, "SELECT COUNT(*) FROM latest_readings"
                + " WHERE received_at = '2024-05-06 07:16:30'"), "each sensor's reading from its last frame");

        List<String> latest = explain(config, "SELECT * FROM latest_readings");
        assertTrue(latest.contains("readings|readings_by_sensor|Using index for group-by"), latest::toString);
        assertTrue(latest.stream().anyMatch(r -> r.startsWith("t|readings_by_sensor|")), latest::toString);
        List<String> lastSeen = explain(config, "SELECT * FROM device_last_seen WHERE last_seen < UTC_TIMESTAMP()");
        assertTrue(lastSeen.contains("readings|readings_by_sensor|Using index for group-by"), lastSeen::toString);
        List<String> range = explain(config, "SELECT received_at, value FROM reading_values WHERE device_id IN"
                + " ('dev-1', 'dev-2') AND sensor IN ('s1') AND received_at BETWEEN '2024-05-06 07:01:00'"
                + " AND '2024-05-06 07:02:00'");
        assertTrue(range.stream().anyMatch(r -> r.startsWith("r|readings_by_sensor|")), range::toString);
    }

    /**
     * On a Galera cluster ids interleave across nodes: the reading with the greater seq of one frame
     * may get the smaller id. latest_readings still picks it (version 3 picked the greatest id).
     */
    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "h2"})
    void latestReadingOfAFrameIsTheGreatestSeqWhateverTheIds(String database) throws Exception {
        checkLatestIgnoresIds(store(database));
    }

    /** A fresh schema on the shared MariaDB, or a new embedded H2 store. */
    private StoreConfig store(String database) throws Exception {
        return "h2".equals(database) ? StoreConfig.embedded(dir.resolve("h2").resolve("store")) : DB.freshSchema(dir);
    }

    private static void checkLatestIgnoresIds(StoreConfig config) throws Exception {
        try (Store store = Store.open(config, Fixtures.writers())) {
            await(store.recordSession(session("dev-g", 1, T0, List.of())));
        }
        // Node 2 (offset 2) stored seq 2 as id 5; then the gateway moved to node 1, which stored seq 1
        // of the same frame, retried, as id 7.
        String insert = "INSERT INTO readings (id, device_id, stream_id, seq, sensor, value, device_time, received_at)"
                + " VALUES (?, 'dev-g', 1, ?, 'temperature', ?, '2024-05-06 06:59:58', '2024-05-06 07:00:00')";
        DB.execute(config, insert, 5, 2, 22.0);
        DB.execute(config, insert, 7, 1, 21.0);
        assertEquals(List.of("dev-g|temperature|22.0|2"),
                rows(config, "SELECT device_id, sensor, value, seq FROM latest_readings"));
    }

    /** EXPLAIN as "table|key|Extra" lines (MariaDB's and MySQL's EXPLAIN both have these columns). */
    private static List<String> explain(StoreConfig config, String sql) throws Exception {
        List<String> plan = new ArrayList<>();
        try (Connection c = TestStores.connect(config); PreparedStatement s = c.prepareStatement("EXPLAIN " + sql);
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                plan.add(rs.getString("table") + "|" + rs.getString("key") + "|" + rs.getString("Extra"));
            }
        }
        return plan;
    }

    private static void checkViews(StoreConfig config) throws Exception {
        try (Store store = Store.open(config, Fixtures.writers())) {
            storeReadings(store);
        }
        assertEquals(List.of(
                        "dev-a|humidity|%|40.0|2024-05-06T07:00|2024-05-06T06:59:58|1|2",
                        "dev-a|humidity|%|41.0|2024-05-06T07:00:20|2024-05-06T07:00:18|2|1",
                        "dev-a|temperature|°C|20.0|2024-05-06T07:00|2024-05-06T06:59:58|1|1",
                        "dev-a|temperature|°C|20.5|2024-05-06T07:00|2024-05-06T06:59:58|1|3",
                        "dev-a|temperature|°C|21.0|2024-05-06T07:00:10|2024-05-06T07:00:08|1|4",
                        "dev-a|temperature|°C|21.5|2024-05-06T07:00:10|2024-05-06T07:00:08|1|5",
                        "dev-b|door||1.0|2024-05-06T07:00:05|2024-05-06T07:00:03|7|1",
                        "dev-b|door||0.0|2024-05-06T07:00:05|2024-05-06T07:00:03|7|2"),
                rows(config, "SELECT device_id, sensor, unit, value, received_at, device_time, stream_id, seq"
                        + " FROM reading_values ORDER BY device_id, sensor, received_at, seq"),
                "reading_values: every stored reading once, with the unit its device announced ('' if none)");

        // Ties on received_at (one frame) go to the greatest seq, never to the order of ids (which a
        // Galera cluster interleaves across nodes); a new stream beats an old one
        // by time, not by seq; the retransmitted frame changed nothing.
        assertEquals(List.of(
                        "dev-a|humidity|%|41.0|2024-05-06T07:00:20|2024-05-06T07:00:18|2|1",
                        "dev-a|temperature|°C|21.5|2024-05-06T07:00:10|2024-05-06T07:00:08|1|5",
                        "dev-b|door||0.0|2024-05-06T07:00:05|2024-05-06T07:00:03|7|2"),
                rows(config, "SELECT device_id, sensor, unit, value, received_at, device_time, stream_id, seq"
                        + " FROM latest_readings ORDER BY device_id, sensor"),
                "latest_readings: one row per device and sensor, the newest");

        assertEquals(List.of(
                        // last_seen: the retransmission at +30 s counts as seen; last reading stored at +20 s
                        "dev-a|2024-05-06T07:00:30|2024-05-06T07:00:20|2024-05-06T07:00:15|2024-05-06T06:59:59",
                        "dev-b|2024-05-06T07:00:05|2024-05-06T07:00:05|2024-05-06T07:00:01|2024-05-06T07:00:01",
                        // handshake only: seen, but no reading
                        "dev-c|2024-05-06T07:00:25|null|2024-05-06T07:00:25|2024-05-06T07:00:25"),
                rows(config, "SELECT device_id, last_seen, last_reading_at, last_connected_at, first_seen"
                        + " FROM device_last_seen ORDER BY device_id"),
                "device_last_seen: one row per device");

        assertEquals(List.of("dev-b"), rows(config,
                "SELECT device_id FROM device_last_seen WHERE last_seen < ? ORDER BY device_id",
                utc(T0.plusSeconds(20))), "devices not seen since +20 s: a one-line WHERE");
    }

    /**
     * dev-a announces two sensors, connects twice (second time with a new stream), sends three
     * frames and retransmits the first; dev-b announces nothing and sends one frame; dev-c only
     * connects.
     */
    private static void storeReadings(Store store) throws Exception {
        List<SensorInfo> devA = List.of(new SensorInfo("temperature", "°C", "bme280.temperature", false),
                new SensorInfo("humidity", "%", "bme280.humidity", false));
        await(store.recordSession(session("dev-a", 1, T0.minusSeconds(1), devA)));
        await(store.recordSession(session("dev-b", 7, T0.plusSeconds(1), List.of())));
        ReadingBatch first = batch("dev-a", 1, T0,
                reading(1, "temperature", 20.0), reading(2, "humidity", 40.0), reading(3, "temperature", 20.5));
        await(submit(store, first));
        await(submit(store, batch("dev-b", 7, T0.plusSeconds(5), reading(1, "door", 1.0), reading(2, "door", 0.0))));
        await(submit(store, batch("dev-a", 1, T0.plusSeconds(10),
                reading(4, "temperature", 21.0), reading(5, "temperature", 21.5))));
        await(store.recordSession(session("dev-a", 2, T0.plusSeconds(15), devA)));
        await(submit(store, batch("dev-a", 2, T0.plusSeconds(20), reading(1, "humidity", 41.0))));
        await(store.recordSession(session("dev-c", 3, T0.plusSeconds(25), List.of())));
        await(submit(store, new ReadingBatch("dev-a", 1, T0.plusSeconds(30), first.readings())));
        assertEquals(3, store.stats().duplicateReadings(), "the retransmitted frame was skipped");
    }

    private static SessionStart session(String device, long stream, Instant at, List<SensorInfo> sensors) {
        return new SessionStart(device, stream, "127.0.0.1:40000", at, at.toEpochMilli() - DEVICE_LAG_MS,
                DEVICE_LAG_MS, sensors);
    }

    /** A frame received at {@code at}, each reading sampled 2 s earlier by the device's clock. */
    private static ReadingBatch batch(String device, long stream, Instant at, Reading... readings) {
        List<Reading> sampled = new ArrayList<>();
        for (Reading r : readings) {
            sampled.add(new Reading(r.seq(), r.sensor(), at.toEpochMilli() - DEVICE_LAG_MS, r.value()));
        }
        return new ReadingBatch(device, stream, at, sampled);
    }

    private static Reading reading(long seq, String sensor, double value) {
        return new Reading(seq, sensor, 0, value);
    }

    private static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** Each row as its columns joined by '|'; times as ISO local date-times, whichever driver. */
    static List<String> rows(StoreConfig store, String sql, Object... params) throws Exception {
        try (Connection c = TestStores.connect(store); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                return format(rs);
            }
        }
    }

    static List<String> format(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        List<String> rows = new ArrayList<>();
        while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                Object o = rs.getObject(i);
                if (o instanceof Timestamp t) {
                    o = t.toLocalDateTime();
                }
                row.append(i == 1 ? "" : "|").append(o);
            }
            rows.add(row.toString());
        }
        assertTrue(rows.size() < 1000, "a small result");
        return rows;
    }
}
