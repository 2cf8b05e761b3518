package io.pigateway.gateway.store;

import io.pigateway.gateway.config.WriterConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * The write-set limits of a MariaDB Galera cluster against the writer's group size, checked once at
 * start-up. Galera refuses a transaction whose write set exceeds {@code wsrep_max_ws_rows} rows or
 * {@code wsrep_max_ws_size} bytes; the writer would then refuse the whole group to its devices on every
 * try. A group of {@code writer.transaction-max-readings} readings writes at most twice that many rows (each
 * reading's row, and at most one {@code devices} row per frame, which holds at least one reading), of at
 * most {@link #BYTES_PER_ROW} each. A plain MySQL or MariaDB server has no such limits (no wsrep variables).
 */
final class GaleraLimits {
    /** An upper bound of one row in a write set: two keys of up to 64 four-byte characters, numbers, times, keys again. */
    static final long BYTES_PER_ROW = 1024;

    private GaleraLimits() {
    }

    /** Throws, naming both settings and their values, if a group could exceed the cluster's limits. */
    static void check(Connection c, WriterConfig writer, String description) throws SQLException, StoreException {
        String on = null;
        long maxRows = 0;
        long maxBytes = 0;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL VARIABLES WHERE Variable_name IN"
                     + " ('wsrep_on', 'wsrep_max_ws_rows', 'wsrep_max_ws_size')")) {
            while (rs.next()) {
                switch (rs.getString(1).toLowerCase(Locale.ROOT)) {
                    case "wsrep_on" -> on = rs.getString(2);
                    case "wsrep_max_ws_rows" -> maxRows = Long.parseLong(rs.getString(2));
                    case "wsrep_max_ws_size" -> maxBytes = Long.parseLong(rs.getString(2));
                    default -> { }
                }
            }
        }
        String problem = problem(on, maxRows, maxBytes, writer.batchMaxReadings());
        if (problem != null) {
            throw new StoreException(description + ": " + problem);
        }
    }

    /** Why groups of {@code batch} readings do not fit the limits, or {@code null}; 0 means no limit. */
    static String problem(String wsrepOn, long maxRows, long maxBytes, int batch) {
        if (!"ON".equalsIgnoreCase(wsrepOn)) {
            return null;
        }
        long rows = 2L * batch;
        if (maxRows > 0 && rows > maxRows) {
            return "writer.transaction-max-readings = " + batch + " lets a transaction write up to " + rows
                    + " rows, but the Galera cluster's wsrep_max_ws_rows = " + maxRows
                    + "; set writer.transaction-max-readings to at most " + maxRows / 2 + " or raise wsrep_max_ws_rows";
        }
        if (maxBytes > 0 && rows * BYTES_PER_ROW > maxBytes) {
            return "writer.transaction-max-readings = " + batch + " lets a transaction write up to " + rows * BYTES_PER_ROW
                    + " bytes, but the Galera cluster's wsrep_max_ws_size = " + maxBytes
                    + "; set writer.transaction-max-readings to at most " + maxBytes / BYTES_PER_ROW / 2
                    + " or raise wsrep_max_ws_size";
        }
        return null;
    }
}
