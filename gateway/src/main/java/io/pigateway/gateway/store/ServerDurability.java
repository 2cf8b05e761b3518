package io.pigateway.gateway.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.tinylog.Logger;

/**
 * Whether a MySQL or MariaDB server keeps a commit through a power cut of its host. The gateway
 * acknowledges a reading after its COMMIT, so the promise is only as good as that COMMIT; on H2 the
 * gateway sets it itself (WRITE_DELAY=0), on MySQL and MariaDB it is the server's configuration, which
 * the gateway reads once at start-up and never changes:
 * <ul>
 * <li>{@code innodb_flush_log_at_trx_commit} must be 1 (flush the redo log at every commit; MariaDB's
 *     3 does too). 2 writes it at commit but flushes it about once a second; 0 does neither.
 * <li>With the binary log on ({@code log_bin}), {@code sync_binlog} must be 1: crash recovery keeps
 *     only the transactions the binary log holds, so one whose binary log entry was still in the page
 *     cache is rolled back.
 * </ul>
 */
final class ServerDurability {
    private ServerDurability() {
    }

    /**
     * Logs one WARN naming each setting that lets an acknowledged reading be lost in a power cut of the
     * database host, or nothing if there is none. A server that does not answer the question gets a
     * WARN saying so; neither stops the gateway.
     */
    static void check(Connection c, String description) {
        List<String> problems;
        try {
            problems = problems(c);
        } catch (SQLException e) {
            Logger.warn("{}: cannot read innodb_flush_log_at_trx_commit, log_bin and sync_binlog ({}); whether an"
                    + " acknowledged reading survives a power cut of the database host is not checked", description,
                    e.getMessage());
            return;
        }
        if (!problems.isEmpty()) {
            Logger.warn("{}: an acknowledged reading may be lost if the database host loses power: {}"
                    + " (docs/RELIABILITY.md)", description, String.join("; ", problems));
        }
    }

    /** What in the server's settings breaks the promise, one entry per setting; empty if nothing. */
    static List<String> problems(Connection c) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT @@GLOBAL.innodb_flush_log_at_trx_commit, @@GLOBAL.log_bin, @@GLOBAL.sync_binlog");
             ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("no row from SELECT @@GLOBAL.innodb_flush_log_at_trx_commit, ...");
            }
            String flush = rs.getString(1);
            boolean binlog = rs.getString(2).equals("1") || rs.getString(2).equalsIgnoreCase("ON");
            String syncBinlog = rs.getString(3);
            if (flush.equals("2")) {
                problems.add("innodb_flush_log_at_trx_commit = 2 flushes the redo log to disk only about once a"
                        + " second, not at each commit; set it to 1");
            } else if (flush.equals("0")) {
                problems.add("innodb_flush_log_at_trx_commit = 0 neither writes nor flushes the redo log at each"
                        + " commit; set it to 1");
            }
            if (binlog && !syncBinlog.equals("1")) {
                problems.add("sync_binlog = " + syncBinlog + " with the binary log on (log_bin) leaves commits in"
                        + " the page cache, and crash recovery rolls back what the binary log lost; set it to 1");
            }
        }
        return problems;
    }
}
