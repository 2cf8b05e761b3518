package io.pigateway.gateway.store;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransactionRollbackException;
import java.util.Set;

/**
 * What a failed statement or commit means for the readings in it, by SQLState and the server's
 * error number (never by message text, which changes with the server's version and language).
 * The numbers are MySQL's and MariaDB's; H2 in MySQL mode reports the standard SQLStates.
 */
enum SqlErrors {
    /** The connection itself broke (SQLState class 08): try again on a new one. */
    CONNECTION_LOST,
    /**
     * Two transactions wanted the same rows: a deadlock (1213, SQLState 40001) or a lock wait that
     * timed out (1205). The transaction is rolled back and tried again; the data is fine.
     */
    CONFLICT,
    /**
     * The database refused the data itself (SQLState classes 22 and 23, a trigger's SIGNAL 45000,
     * 1366 incorrect value): committing it again can never succeed, so only its frame is refused.
     */
    DATA,
    /** The server takes no writes: --read-only (1290), a read-only transaction (1792), innodb_read_only (1836). */
    READ_ONLY,
    /** A table or the disk is full: 1114 (table is full), 1021 (disk full). */
    FULL,
    /** Anything else (a missing privilege, a missing table, ...): the store is failing. */
    OTHER;

    private static final Set<Integer> CONFLICT_CODES = Set.of(1205, 1213, 50200); // 50200: H2's lock timeout
    private static final Set<Integer> DATA_CODES = Set.of(1048, 1264, 1292, 1366, 1406, 1644);
    private static final Set<Integer> READ_ONLY_CODES = Set.of(1290, 1792, 1836);
    private static final Set<Integer> FULL_CODES = Set.of(1021, 1114);

    /** The most telling class in the chain of causes (a driver may wrap the server's error). */
    static SqlErrors of(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException e) {
                SqlErrors kind = classify(e);
                if (kind != OTHER) {
                    return kind;
                }
            }
        }
        return OTHER;
    }

    private static SqlErrors classify(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        int code = e.getErrorCode();
        if (state.startsWith("08") || e instanceof SQLRecoverableException) {
            return CONNECTION_LOST;
        }
        if (CONFLICT_CODES.contains(code) || state.equals("40001") || e instanceof SQLTransactionRollbackException) {
            return CONFLICT;
        }
        if (READ_ONLY_CODES.contains(code) || state.equals("25006")) {
            return READ_ONLY;
        }
        if (FULL_CODES.contains(code)) {
            return FULL;
        }
        if (DATA_CODES.contains(code) || state.startsWith("22") || state.startsWith("23") || state.equals("45000")) {
            return DATA;
        }
        return OTHER;
    }

    /** "SQL error 1644 (SQLState 45000)": the numbers an operator looks up, for log lines and NACK reasons. */
    static String codes(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException e) {
                return "SQL error " + e.getErrorCode() + " (SQLState " + e.getSQLState() + ")";
            }
        }
        return "no SQL error code";
    }
}
