package io.pigateway.gateway.store;

import com.mysql.cj.jdbc.JdbcStatement;
import io.pigateway.protocol.Reading;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a group's readings with one {@code LOAD DATA LOCAL INFILE} fed from memory, instead of
 * multi-row INSERTs ({@code writer.insert-method = load-data}, MySQL and MariaDB only). The server
 * parses one text stream rather than 7,000 bound parameters per 1,000 rows, and the gateway formats
 * the text itself instead of binding each value through the driver: in the benchmark's JFR profile
 * binding parameters was the writer's largest cost.
 *
 * <p><b>The stream</b>, UTF-8, one line per reading in key order (the same lock order as the INSERTs):
 * <pre>
 * device_id TAB stream_id TAB seq TAB sensor TAB value TAB device_time TAB received_at LF
 * </pre>
 * {@code stream_id} and {@code seq} as signed decimal; {@code value} as {@link Double#toString}
 * (the shortest decimal that reads back as the same double, e.g. {@code 21.5}, {@code 1.0E-5});
 * both times as {@code yyyy-MM-dd HH:mm:ss.SSS} in UTC, as {@link WriteSql#datetime}. In the two
 * names a backslash, TAB, LF and NUL are written as {@code \\}, {@code \t}, {@code \n} and
 * {@code \0} (the statement's {@code ESCAPED BY '\\'}); identifiers never hold them today.
 *
 * <p><b>Duplicates and data errors.</b> {@code IGNORE} (which {@code LOCAL} implies anyway) skips a
 * row whose key is stored, with warning 1062, as {@code ON DUPLICATE KEY UPDATE seq = seq} does;
 * the update count is the rows inserted. But it also turns a data error, which the INSERT would fail
 * with, into a warning and a changed row. So every warning must be a 1062 and there must be exactly
 * one per skipped row; otherwise this throws a {@link SQLDataException} (SQLState 22000, the
 * server's code), the writer rolls back and splits the group as for a failed INSERT, and only the
 * bad frame is refused.
 *
 * <p><b>Files.</b> The driver hands the server this stream whatever file name the server asks
 * for, and only while the statement runs. For any other request (a hostile or impersonated server
 * can ask for a file in answer to any statement) the connection URL allows only files under an
 * empty directory of the gateway's own ({@link ConnectionSource}); so no file is ever sent.
 */
final class LoadDataReadings {
    static final String STATEMENT = "LOAD DATA LOCAL INFILE 'pi-gateway-readings' IGNORE INTO TABLE readings"
            + " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'"
            + " (device_id, stream_id, seq, sensor, value, device_time, received_at)";
    /** ER_DUP_ENTRY: a row skipped because its key is stored. */
    private static final int DUPLICATE_KEY = 1062;
    /** The server lists at most {@code max_error_count} warnings (64 by default); beyond, they are counted. */
    private static final int LISTED_WARNINGS = 64;

    private LoadDataReadings() {
    }

    /** Inserts the readings, skipping any already stored; returns the number of rows inserted. */
    static int insert(Connection c, List<ReadingBatch> batches) throws SQLException {
        List<WriteSql.Row> rows = WriteSql.rowsInKeyOrder(batches);
        byte[] text = text(rows);
        try (Statement s = c.createStatement()) {
            s.unwrap(JdbcStatement.class).setLocalInfileInputStream(new ByteArrayInputStream(text));
            int inserted = s.executeUpdate(STATEMENT);
            SQLWarning warnings = s.getWarnings();
            if (warnings != null || inserted != rows.size()) {
                checkOnlyDuplicates(c, warnings, rows.size() - inserted);
            }
            return inserted;
        }
    }

    /** The stream described in the class comment. */
    static byte[] text(List<WriteSql.Row> rows) {
        Text out = new Text(rows.size() * 96);
        long day = Long.MIN_VALUE;
        byte[] date = null;
        for (WriteSql.Row row : rows) {
            Reading r = row.reading();
            out.escaped(row.batch().deviceId()).tab();
            out.ascii(Long.toString(row.batch().streamId())).tab();
            out.ascii(Long.toString(r.seq())).tab();
            out.escaped(r.sensor()).tab();
            out.ascii(Double.toString(r.value())).tab();
            long millis = r.timestampMillis();
            long thisDay = Math.floorDiv(millis, 86_400_000L);
            if (thisDay != day) { // readings of one group are mostly of one day: format the date once
                day = thisDay;
                date = WriteSql.datetime(java.time.Instant.ofEpochMilli(thisDay * 86_400_000L))
                        .substring(0, 11).getBytes(StandardCharsets.US_ASCII);
            }
            out.bytes(date).timeOfDay(Math.floorMod(millis, 86_400_000L)).tab();
            out.ascii(row.receivedAt()).newline();
        }
        return out.toArray();
    }

    private static void checkOnlyDuplicates(Connection c, SQLWarning warnings, int skipped) throws SQLException {
        int listed = 0;
        for (SQLWarning w = warnings; w != null; w = w.getNextWarning()) {
            listed++;
            if (w.getErrorCode() != DUPLICATE_KEY) {
                throw new SQLDataException("the database changed or refused a value (LOAD DATA turned error "
                        + w.getErrorCode() + " into a warning): " + w.getMessage(), "22000", w.getErrorCode());
            }
        }
        long total = listed;
        if (listed >= LISTED_WARNINGS) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW COUNT(*) WARNINGS")) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        if (total != skipped) {
            throw new SQLDataException("LOAD DATA skipped " + skipped + " rows but reported " + total
                    + " warnings, " + listed + " of them listed and all duplicate keys; some rows were changed", "22000");
        }
    }

    /** A growing byte buffer that writes what the stream needs without intermediate strings. */
    private static final class Text {
        private byte[] bytes;
        private int size;

        Text(int capacity) {
            bytes = new byte[Math.max(capacity, 64)];
        }

        private void room(int n) {
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
            }
        }

        Text tab() {
            room(1);
            bytes[size++] = '\t';
            return this;
        }

        Text newline() {
            room(1);
            bytes[size++] = '\n';
            return this;
        }

        Text bytes(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, bytes, size, b.length);
            size += b.length;
            return this;
        }

        /** Text known to be ASCII (digits, signs, a decimal point, an exponent). */
        Text ascii(String s) {
            int n = s.length();
            room(n);
            for (int i = 0; i < n; i++) {
                bytes[size++] = (byte) s.charAt(i);
            }
            return this;
        }

        Text escaped(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            room(utf8.length * 2);
            for (byte b : utf8) {
                switch (b) {
                    case '\\' -> { bytes[size++] = '\\'; bytes[size++] = '\\'; }
                    case '\t' -> { bytes[size++] = '\\'; bytes[size++] = 't'; }
                    case '\n' -> { bytes[size++] = '\\'; bytes[size++] = 'n'; }
                    case 0 -> { bytes[size++] = '\\'; bytes[size++] = '0'; }
                    default -> bytes[size++] = b;
                }
            }
            return this;
        }

        /** {@code HH:mm:ss.SSS} of a time of day in ms. */
        Text timeOfDay(long ms) {
            room(12);
            int h = (int) (ms / 3_600_000);
            int m = (int) (ms / 60_000 % 60);
            int sec = (int) (ms / 1000 % 60);
            int milli = (int) (ms % 1000);
            two(h).colon();
            two(m).colon();
            two(sec);
            bytes[size++] = '.';
            bytes[size++] = (byte) ('0' + milli / 100);
            bytes[size++] = (byte) ('0' + milli / 10 % 10);
            bytes[size++] = (byte) ('0' + milli % 10);
            return this;
        }

        private Text two(int v) {
            bytes[size++] = (byte) ('0' + v / 10);
            bytes[size++] = (byte) ('0' + v % 10);
            return this;
        }

        private void colon() {
            bytes[size++] = ':';
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, size);
        }
    }
}
