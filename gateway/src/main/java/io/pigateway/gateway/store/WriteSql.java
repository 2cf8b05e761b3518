package io.pigateway.gateway.store;

import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The statements a writer runs inside its transaction; all prepared. Times are stored as UTC
 * {@code DATETIME(3)} values and passed as text, {@code 'yyyy-MM-dd HH:mm:ss.SSS'} in UTC (see
 * {@link #datetime}), which every server converts to the column's type without a time zone.
 */
final class WriteSql {
    /**
     * Rows per INSERT statement. Multi-row statements are built here rather than by the MySQL driver's
     * rewriteBatchedStatements, whose batch update counts are all SUCCESS_NO_INFO: one statement per
     * chunk returns the rows it really inserted, the same way on H2, MySQL and MariaDB, so duplicates
     * can be counted. 7 parameters per row stay far below MySQL's 65,535 placeholder limit.
     */
    static final int ROWS_PER_INSERT = 1000;

    private static final String INSERT_READINGS_HEAD =
            "INSERT INTO readings (device_id, stream_id, seq, sensor, value, device_time, received_at) VALUES ";
    private static final String READING_ROW = "(?, ?, ?, ?, ?, ?, ?)";
    // A no-op update, not INSERT IGNORE: IGNORE would also turn data errors into warnings.
    private static final String INSERT_READINGS_TAIL = " ON DUPLICATE KEY UPDATE seq = seq";
    private static final java.util.Map<Integer, String> INSERT_SQL = new java.util.concurrent.ConcurrentHashMap<>();

    /** 1000-01-01 and 9999-12-31T23:59:59.999 in UTC: what a MySQL DATETIME holds. */
    private static final long MIN_DATETIME_MILLIS = -30_610_224_000_000L;
    private static final long MAX_DATETIME_MILLIS = 253_402_300_799_999L;
    private static final int MAX_ADDRESS_LENGTH = 128;
    private static final int MAX_NAME_LENGTH = 64;
    /** A DATETIME(3) literal; the years are 1000 to 9999 ({@link #fitsDatetime}), so always four digits. */
    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    private WriteSql() {
    }

    /** {@code receivedAt}: the batch's, formatted once per batch. */
    private record Row(ReadingBatch batch, Reading reading, String receivedAt) {
    }

    // Every writer inserts in key order, so two transactions touching the same keys (a device that
    // reconnected and retransmits) wait for each other instead of deadlocking.
    private static final Comparator<Row> KEY_ORDER = Comparator
            .comparing((Row r) -> r.batch().deviceId())
            .thenComparingLong(r -> r.batch().streamId())
            .thenComparingLong(r -> r.reading().seq());

    /** Inserts the readings, skipping any already stored; returns the number of rows inserted. */
    static int insertReadings(Connection c, List<ReadingBatch> batches) throws SQLException {
        List<Row> rows = new ArrayList<>();
        for (ReadingBatch b : batches) {
            String receivedAt = datetime(b.receivedAt());
            for (Reading r : b.readings()) {
                rows.add(new Row(b, r, receivedAt));
            }
        }
        rows.sort(KEY_ORDER);
        int inserted = 0;
        int from = 0;
        while (from < rows.size()) {
            int n = chunkSize(rows.size() - from);
            inserted += insertChunk(c, rows.subList(from, from + n));
            from += n;
        }
        return inserted;
    }

    /**
     * The batches holding a reading whose key is stored with a different sensor, value or device time,
     * each with its {@link DuplicateMismatchException}. Run after {@link #insertReadings} in the same
     * transaction, and only when some rows were not inserted, so the usual path pays nothing: one
     * indexed range read per batch. A reading inserted by this very transaction compares equal to itself.
     */
    static Map<ReadingBatch, DuplicateMismatchException> mismatches(Connection c, List<ReadingBatch> batches)
            throws SQLException {
        Map<ReadingBatch, DuplicateMismatchException> found = new IdentityHashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT seq, sensor, value, device_time FROM readings"
                + " WHERE device_id = ? AND stream_id = ? AND seq BETWEEN ? AND ?")) {
            for (ReadingBatch b : batches) {
                Map<Long, Reading> bySeq = new HashMap<>();
                for (Reading r : b.readings()) {
                    bySeq.put(r.seq(), r);
                }
                s.setString(1, b.deviceId());
                s.setLong(2, b.streamId());
                s.setLong(3, b.readings().getFirst().seq());
                s.setLong(4, b.readings().getLast().seq());
                int differ = 0;
                String first = null;
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        Reading sent = bySeq.get(rs.getLong(1));
                        if (sent == null) {
                            continue; // a gap in the frame's seqs
                        }
                        String sensor = rs.getString(2);
                        double value = rs.getDouble(3);
                        // Read back as a time (reading keeps the milliseconds on every server; only
                        // sending them is what datetime() works around).
                        LocalDateTime time = rs.getObject(4, LocalDateTime.class);
                        LocalDateTime sentTime = LocalDateTime.ofInstant(
                                Instant.ofEpochMilli(sent.timestampMillis()), ZoneOffset.UTC);
                        if (!sensor.equals(sent.sensor()) || Double.compare(value, sent.value()) != 0
                                || !time.equals(sentTime)) {
                            if (differ++ == 0) {
                                first = "seq " + sent.seq() + " is stored as " + sensor + " = " + value + " at " + time
                                        + "Z, resent as " + sent.sensor() + " = " + sent.value() + " at " + sentTime + "Z";
                            }
                        }
                    }
                }
                if (differ > 0) {
                    found.put(b, new DuplicateMismatchException(differ + " of the " + b.size() + " readings of seq "
                            + b.readings().getFirst().seq() + ".." + b.readings().getLast().seq() + " (stream "
                            + b.streamId() + ") differ from those stored under the same seqs; first: "
                            + first, differ));
                }
            }
        }
        return found;
    }

    /**
     * Rows in the next INSERT: {@value #ROWS_PER_INSERT}, or for a remainder the largest power of two
     * that fits. So only a dozen statement shapes exist, each prepared once per connection and cached
     * by the driver, and any remainder takes at most ten statements.
     */
    static int chunkSize(int left) {
        return left >= ROWS_PER_INSERT ? ROWS_PER_INSERT : Integer.highestOneBit(left);
    }

    /** The INSERT text for {@code rows} rows, built once per shape. */
    private static String insertSql(int rows) {
        return INSERT_SQL.computeIfAbsent(rows, n -> {
            StringBuilder sql = new StringBuilder(INSERT_READINGS_HEAD.length() + n * (READING_ROW.length() + 2)
                    + INSERT_READINGS_TAIL.length());
            sql.append(INSERT_READINGS_HEAD);
            for (int i = 0; i < n; i++) {
                sql.append(i == 0 ? "" : ", ").append(READING_ROW);
            }
            return sql.append(INSERT_READINGS_TAIL).toString();
        });
    }

    private static int insertChunk(Connection c, List<Row> rows) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(insertSql(rows.size()))) {
            int p = 1;
            for (Row row : rows) {
                Reading r = row.reading();
                s.setString(p++, row.batch().deviceId());
                s.setLong(p++, row.batch().streamId());
                s.setLong(p++, r.seq());
                s.setString(p++, r.sensor());
                s.setDouble(p++, r.value());
                s.setString(p++, datetime(Instant.ofEpochMilli(r.timestampMillis())));
                s.setString(p++, row.receivedAt());
            }
            // With useAffectedRows (MySQL) and on H2, a skipped duplicate counts 0 and an insert 1.
            return s.executeUpdate();
        }
    }

    /** Moves {@code devices.last_seen} forward to each device's time in {@code latest}, in its (device) order: the lock order. */
    static void touchDevices(Connection c, Map<String, Instant> latest) throws SQLException {
        if (latest.isEmpty()) {
            return;
        }
        // The CAST makes GREATEST compare times, not text.
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE devices SET last_seen = GREATEST(last_seen, CAST(? AS DATETIME(3))) WHERE device_id = ?")) {
            for (Map.Entry<String, Instant> e : latest.entrySet()) {
                s.setString(1, datetime(e.getValue()));
                s.setString(2, e.getKey());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** Upserts the device and adds the connection to the history. */
    static void recordSession(Connection c, SessionStart session) throws SQLException {
        String connectedAt = datetime(session.connectedAt());
        String address = truncated(session.peerAddress());
        // The device's address alone: the port changes with every connection and only the history needs it.
        String host = truncated(session.peerHost());
        // VALUES(col) rather than MySQL 8's row alias: MariaDB and H2 know only the former.
        try (PreparedStatement s = c.prepareStatement("INSERT INTO devices (device_id, first_seen, last_seen,"
                + " last_address, last_stream_id, last_clock_offset_ms) VALUES (?, ?, ?, ?, ?, ?)"
                + " ON DUPLICATE KEY UPDATE last_seen = GREATEST(last_seen, VALUES(last_seen)),"
                + " last_address = VALUES(last_address), last_stream_id = VALUES(last_stream_id),"
                + " last_clock_offset_ms = VALUES(last_clock_offset_ms)")) {
            s.setString(1, session.deviceId());
            s.setString(2, connectedAt);
            s.setString(3, connectedAt);
            s.setString(4, host);
            s.setLong(5, session.streamId());
            s.setLong(6, session.clockOffsetMillis());
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO connections (device_id, stream_id, peer_address,"
                + " connected_at, device_clock, clock_offset_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, session.deviceId());
            s.setLong(2, session.streamId());
            s.setString(3, address);
            s.setString(4, connectedAt);
            if (fitsDatetime(session.deviceClockMillis())) {
                s.setString(5, datetime(Instant.ofEpochMilli(session.deviceClockMillis())));
            } else {
                s.setNull(5, Types.TIMESTAMP);
            }
            s.setLong(6, session.clockOffsetMillis());
            s.executeUpdate();
        }
        recordSensors(c, session);
    }

    private static String truncated(String address) {
        return address.length() > MAX_ADDRESS_LENGTH ? address.substring(0, MAX_ADDRESS_LENGTH) : address;
    }

    /**
     * Why the session must not be recorded, or {@code null}: the device's sensors already stored plus
     * the announced ones not yet stored would be more than {@code max}. Run before anything of the
     * session is written. Usually one COUNT over the primary key's (device_id) prefix; only when the
     * sum with every announced sensor passes the limit are the stored names read, to leave out those
     * announced again. Two handshakes of one device in parallel (a client replacing its own connection)
     * may together pass the limit by one HELLO's sensors at most.
     */
    static String sensorLimitProblem(Connection c, SessionStart session, int max) throws SQLException {
        if (session.sensors().isEmpty() || max == Integer.MAX_VALUE) {
            return null;
        }
        Set<String> announced = new HashSet<>();
        for (SensorInfo sensor : session.sensors()) {
            announced.add(sensor.name());
        }
        long stored;
        try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM sensors WHERE device_id = ?")) {
            s.setString(1, session.deviceId());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                stored = rs.getLong(1);
            }
        }
        if (stored + announced.size() <= max) {
            return null;
        }
        int known = 0;
        try (PreparedStatement s = c.prepareStatement("SELECT sensor FROM sensors WHERE device_id = ?")) {
            s.setString(1, session.deviceId());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (announced.contains(rs.getString(1))) {
                        known++;
                    }
                }
            }
        }
        long total = stored + announced.size() - known;
        if (total <= max) {
            return null;
        }
        return "device " + session.deviceId() + " would have " + total + " sensors (" + stored + " stored, "
                + (announced.size() - known) + " new in this HELLO), limit " + max
                + " (limits.max-sensors-per-device); remove old ones from the sensors table or raise the limit";
    }

    /** Upserts the announced sensors: unit, kind and simulated follow the latest announcement. */
    private static void recordSensors(Connection c, SessionStart session) throws SQLException {
        if (session.sensors().isEmpty()) {
            return;
        }
        String at = datetime(session.connectedAt());
        try (PreparedStatement s = c.prepareStatement("INSERT INTO sensors (device_id, sensor, unit, kind, simulated,"
                + " first_announced, last_announced) VALUES (?, ?, ?, ?, ?, ?, ?)"
                + " ON DUPLICATE KEY UPDATE unit = VALUES(unit), kind = VALUES(kind), simulated = VALUES(simulated),"
                + " last_announced = GREATEST(last_announced, VALUES(last_announced))")) {
            for (SensorInfo sensor : session.sensors()) {
                s.setString(1, session.deviceId());
                s.setString(2, sensor.name());
                s.setString(3, sensor.unit());
                s.setString(4, sensor.kind());
                s.setBoolean(5, sensor.simulated());
                s.setString(6, at);
                s.setString(7, at);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /**
     * Why the batch cannot be stored, or {@code null}. The connection validates frames already; this
     * keeps one bad frame from failing the transaction it would share with other devices' frames.
     */
    static String problem(ReadingBatch batch) {
        if (batch.deviceId().length() > MAX_NAME_LENGTH) {
            return "device id is longer than " + MAX_NAME_LENGTH + " characters";
        }
        for (Reading r : batch.readings()) {
            if (r.sensor().length() > MAX_NAME_LENGTH) {
                return "reading seq " + r.seq() + " has a sensor name longer than " + MAX_NAME_LENGTH + " characters";
            }
            if (!Double.isFinite(r.value())) {
                return "reading seq " + r.seq() + " has value " + r.value() + ", which a DOUBLE column cannot hold";
            }
            if (!fitsDatetime(r.timestampMillis())) {
                return "reading seq " + r.seq() + " has timestamp " + r.timestampMillis()
                        + " ms, outside the years 1000 to 9999 a DATETIME column holds";
            }
        }
        return null;
    }

    private static boolean fitsDatetime(long epochMillis) {
        return epochMillis >= MIN_DATETIME_MILLIS && epochMillis <= MAX_DATETIME_MILLIS;
    }

    /**
     * UTC wall time as a DATETIME(3) literal, cut to the millisecond (MySQL would round finer digits).
     *
     * <p>Text, not a {@code LocalDateTime}: mysql-connector-j sends fractional seconds only to servers
     * whose version is at least 5.6.4, and reads the version from the server's greeting. MariaDB 10.x
     * (Debian 12's 10.11, the deploy guide's server) greets as {@code 5.5.5-10.11.x-MariaDB}, a prefix
     * kept for old replication clients, which the driver reads as 5.5.5; so it cut every time to the
     * second ({@code .000}) before sending it, whether as a binary or a text parameter, and no
     * connection property turns that check off. MariaDB 11 greets without the prefix, MySQL 8 has its
     * own version, and H2 is not involved. A string is converted by the server itself, with its
     * milliseconds, on every one of them.
     */
    static String datetime(Instant instant) {
        return DATETIME.format(instant);
    }
}
