package io.pigateway.gateway.store;

import io.pigateway.common.ErrorText;
import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.gateway.config.DatabaseNode;
import io.pigateway.gateway.config.StoreConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tinylog.Logger;

/**
 * Opens JDBC connections to the configured store, each ready for a writer: autocommit off,
 * READ COMMITTED (fewer gap locks between writers inserting next to each other).
 *
 * <p>{@code store.host} may name several nodes of a cluster (MariaDB Galera). The failover is our own,
 * not Connector/J's multi-host URLs: a Galera node that is up but outside the primary component, or a
 * donor/desynced one, accepts the login and only fails the first statement (error 1047), which the
 * driver's failover would not skip, and its failover/load-balancing modes also switch nodes on their
 * own (load-balance spreads transactions over nodes: more certification conflicts). Here every
 * connection goes to the <em>current</em> node, so that all writers of a gateway write through one node
 * at a time; the current node only changes when opening a connection to it fails or finds it not
 * ready ({@link #galeraProblem}), and then to the next one in the configured order (never back on its
 * own, so nodes do not flap).
 */
final class ConnectionSource {
    /**
     * How long a statement may wait for the MySQL server before the connection counts as dead: long
     * enough for a large commit on a slow disk, short enough that a vanished server frees the writer.
     * The login handshake gets only the connect timeout (see {@link #mysqlUrl}).
     */
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
    /** H2's wait for a row another writer holds; also in {@link #h2Url}. */
    static final Duration H2_LOCK_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern OWN_SOCKET_TIMEOUT = Pattern.compile("(?:^|[?&])socketTimeout=(\\d{1,9})(?:&|$)");
    /**
     * The H2 file system the embedded store lives on: H2's own {@code file}. A seam for the power-cut
     * tests, which register one that forgets what was not synced (an {@code org.h2.store.fs.FilePath}
     * scheme); not a setting.
     */
    static volatile String h2FileSystem = "file";

    /** ER_ERROR_DURING_COMMIT: "Got error during COMMIT"; on a Galera node, the node lost the cluster. */
    private static final int COMMIT_FAILED = 1180;

    /** One URL per node, in the configured order; one for H2 and a single server. */
    private final List<String> urls;
    /** Index into {@link #urls} of the node new connections go to. */
    private final AtomicInteger current = new AtomicInteger();
    private final Properties credentials;
    private final String description;
    /** Applied once connected; {@code null} for H2, or when the configuration sets socketTimeout itself. */
    private final Duration networkTimeout;
    private final Duration attemptLimit;
    /** H2 only: a commit reaches the file, not the disk, until it is synced. */
    private final boolean syncAfterCommit;

    private ConnectionSource(List<String> urls, Properties credentials, String description, Duration networkTimeout,
                             Duration attemptLimit, boolean syncAfterCommit) {
        this.urls = List.copyOf(urls);
        this.syncAfterCommit = syncAfterCommit;
        this.credentials = credentials;
        this.description = description;
        this.networkTimeout = networkTimeout;
        this.attemptLimit = attemptLimit;
    }

    static ConnectionSource of(StoreConfig config) throws StoreException {
        Properties credentials = new Properties();
        if (config.kind() == StoreConfig.Kind.EMBEDDED) {
            // H2's default account (empty name), so that H2's own tools open the file without options.
            credentials.setProperty("user", "");
            credentials.setProperty("password", "");
            return new ConnectionSource(List.of(h2Url(config.embeddedPath())), credentials, config.describe(), null,
                    H2_LOCK_TIMEOUT, true);
        }
        credentials.setProperty("user", config.user());
        credentials.setProperty("password", config.passwordFile() == null ? "" : readPassword(config));
        boolean ownSocketTimeout = config.jdbcOptions().contains("socketTimeout=");
        List<String> urls = config.nodes().stream().map(node -> mysqlUrl(config, node)).toList();
        // With several nodes a reconnect may try each in turn before one answers.
        Duration attemptLimit = config.connectTimeout().multipliedBy(urls.size()).plus(socketTimeout(config.jdbcOptions()));
        return new ConnectionSource(urls, credentials, config.describe(), ownSocketTimeout ? null : SOCKET_TIMEOUT,
                attemptLimit, false);
    }

    /**
     * The socket timeout in effect once connected: {@link #SOCKET_TIMEOUT}, or the one the JDBC options set.
     * An own timeout of 0 (none) or one that cannot be read counts as {@link #SOCKET_TIMEOUT}: it is only
     * used to judge how long a writer may take before the watchdog calls it stuck.
     */
    static Duration socketTimeout(String jdbcOptions) {
        Matcher m = OWN_SOCKET_TIMEOUT.matcher(jdbcOptions.strip());
        if (m.find() && Long.parseLong(m.group(1)) > 0) {
            return Duration.ofMillis(Long.parseLong(m.group(1)));
        }
        return SOCKET_TIMEOUT;
    }

    /**
     * MySQL mode for the shared SQL; lower-case names as on MySQL; {@code value} is a column name here.
     * WRITE_DELAY=0: a commit reaches the file before it is acknowledged (H2 would otherwise keep it
     * in memory for up to 500 ms, lost if the process dies); {@link #sync} then forces it to the disk,
     * which survives a power cut too. DB_CLOSE_ON_EXIT=FALSE: the gateway's
     * shutdown hook, not H2's, closes the database, so that queued batches can still commit on SIGTERM.
     * LOCK_TIMEOUT: writers briefly wait for each other on a device row; H2's default of 1 s is tight.
     */
    static String h2Url(Path file) {
        return "jdbc:h2:" + h2FileSystem + ":" + file.toAbsolutePath() + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;NON_KEYWORDS=VALUE"
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=" + H2_LOCK_TIMEOUT.toMillis();
    }

    /**
     * {@code useAffectedRows}: a duplicate skipped by {@code ON DUPLICATE KEY UPDATE seq = seq} counts
     * 0 rows, not 1, so duplicates can be counted. Server-side prepared statements, cached per
     * connection (the multi-row INSERT is tens of KB of SQL): without them the driver parsed that text
     * and encoded every value as text on each transaction, which was the gateway's largest CPU cost in
     * a JFR profile, and rows/s rose from 0.68 to 0.89 of the plain JDBC ceiling with them. {@code socketTimeout} equals the connect timeout so
     * that a server which accepts TCP but never answers (hung, or a proxy without backend) fails the
     * login just as fast; {@link #open()} then lengthens it to {@link #SOCKET_TIMEOUT}. Options from the
     * configuration come last and win. ({@code sendFractionalSeconds} is true by default but cannot make
     * the driver send milliseconds to MariaDB 10.x; times go as text, see {@link WriteSql#datetime}.)
     */
    static String mysqlUrl(StoreConfig config) {
        return mysqlUrl(config, config.nodes().get(0));
    }

    static String mysqlUrl(StoreConfig config, DatabaseNode node) {
        long connectMillis = config.connectTimeout().toMillis();
        String url = "jdbc:mysql://" + node.host() + ":" + node.port() + "/" + config.database()
                + "?rewriteBatchedStatements=true&useAffectedRows=true"
                + "&useServerPrepStmts=true&cachePrepStmts=true&prepStmtCacheSize=64&prepStmtCacheSqlLimit=262144"
                + "&connectTimeout=" + connectMillis + "&socketTimeout=" + connectMillis;
        String options = config.jdbcOptions().strip();
        while (options.startsWith("?") || options.startsWith("&")) {
            options = options.substring(1);
        }
        return options.isEmpty() ? url : url + "&" + options;
    }

    /** The password is the first line of a secret file (mode 0600, or a systemd credential). */
    static String readPassword(StoreConfig config) throws StoreException {
        try {
            return SecretFile.at(config.passwordFile()).firstLine();
        } catch (ConfigException e) {
            throw new StoreException("cannot read the password for " + config.describe() + ": " + e.getMessage(), e);
        }
    }

    /** How many database nodes this source knows: 1 for H2 and a single server. */
    int nodes() {
        return urls.size();
    }

    /** The URL of the node new connections go to. */
    String url() {
        return urls.get(current.get());
    }

    String description() {
        return description;
    }

    /**
     * The longest one transaction attempt can take on a database that has stopped answering before
     * the driver gives up: a reconnect within the connect timeout, then a statement that waits out
     * the socket timeout (H2: a row lock wait). Longer than this, a writer is not waiting for the
     * database any more; it is stuck.
     */
    Duration attemptLimit() {
        return attemptLimit;
    }

    /**
     * Makes what {@code c} committed durable, on the caller's thread, before anyone is told it is
     * committed. MySQL's COMMIT already is (with innodb_flush_log_at_trx_commit = 1). H2 writes a
     * commit to the file but never syncs it: after a power cut the page cache's content is gone, and
     * a gateway that had acknowledged 4,500 readings came back with an empty file, schema included.
     * {@code CHECKPOINT SYNC} writes what is pending and forces the file (fsync) once, which covers
     * every transaction committed before it, from any connection. Costs one fsync per transaction
     * (docs/PERFORMANCE.md).
     */
    void sync(Connection c) throws SQLException {
        if (syncAfterCommit) {
            try (Statement s = c.createStatement()) {
                s.execute("CHECKPOINT SYNC");
            }
        }
    }

    /**
     * A connection to the current node or, if that fails or is not ready, to the next that is, in the
     * configured order; the node that answered becomes the current one. Throws the last node's error
     * (with the others' suppressed) if none is usable.
     */
    Connection open() throws SQLException {
        int first = current.get();
        SQLException failure = null;
        for (int i = 0; i < urls.size(); i++) {
            int index = (first + i) % urls.size();
            try {
                Connection c = open(urls.get(index));
                if (index != first && current.compareAndSet(first, index)) {
                    Logger.warn("database node {} is unavailable ({}); writing through node {} now",
                            node(first), failure == null ? "?" : ErrorText.of(failure), node(index));
                }
                return c;
            } catch (SQLException e) {
                if (failure != null) {
                    e.addSuppressed(failure);
                }
                failure = e;
            }
        }
        throw failure;
    }

    /** "127.0.0.1:3306", for log lines. */
    private String node(int index) {
        String url = urls.get(index);
        int start = url.indexOf("//") + 2;
        return url.substring(start, url.indexOf('/', start));
    }

    private Connection open(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url, credentials);
        try {
            if (urls.size() > 1) {
                String problem = galeraProblem(c);
                if (problem != null) {
                    // SQLState 08: the writer treats it like a node that is down.
                    throw new SQLNonTransientConnectionException("database node " + url.substring(url.indexOf("//") + 2,
                            url.indexOf('/', url.indexOf("//") + 2)) + " " + problem, "08004", 1047);
                }
            }
            if (networkTimeout != null) {
                c.setNetworkTimeout(Runnable::run, (int) networkTimeout.toMillis());
            }
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /**
     * Whether {@code c}'s node, one of several, should not take writes any more after {@code failure}: it
     * failed a COMMIT with {@link #COMMIT_FAILED}, it does not answer, or {@link #galeraProblem} says so.
     * Always false for a single server: there is no other node to go to.
     */
    boolean nodeUnavailable(Connection c, SQLException failure) {
        if (urls.size() < 2) {
            return false;
        }
        String problem;
        if (commitFailed(failure)) {
            problem = "failed a commit (" + ErrorText.of(failure) + ")";
            try {
                c.rollback();
            } catch (SQLException e) {
                // The node is being left anyway.
            }
        } else {
            try {
                c.rollback();
                problem = galeraProblem(c);
            } catch (SQLException e) {
                problem = "does not answer (" + ErrorText.of(e) + ")";
            }
        }
        if (problem == null) {
            return false;
        }
        leave(c, problem);
        return true;
    }

    /**
     * True if a cluster node failed a COMMIT with error {@link #COMMIT_FAILED}. Galera fails commits with it
     * when the node has just lost the primary component ("Not connected to Primary Component"), a moment
     * before its {@code wsrep_ready} turns OFF: the readiness check can still pass, and a retry on the same
     * node failed the same way (GaleraFailoverIT, under the full suite's load).
     */
    private static boolean commitFailed(SQLException failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException e && e.getErrorCode() == COMMIT_FAILED) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes the next node current if {@code c}'s node still is (another writer may have moved on already),
     * so that the retry goes elsewhere even if the node passes the readiness check at the next login
     * ({@link #commitFailed}).
     */
    private void leave(Connection c, String problem) {
        int index = current.get();
        try {
            if (!c.getMetaData().getURL().contains("//" + node(index) + "/")) {
                return;
            }
        } catch (SQLException e) {
            return; // cannot tell which node: the readiness check at the next login decides
        }
        int next = (index + 1) % urls.size();
        if (current.compareAndSet(index, next)) {
            Logger.warn("database node {} {}; writing through node {} now", node(index), problem, node(next));
        }
    }

    /**
     * Why a Galera node should not take writes now, or {@code null} if it should (or is no Galera node:
     * a plain server has no wsrep status). A node takes writes when {@code wsrep_ready} is ON and
     * {@code wsrep_local_state} is 4 (Synced); a joiner (1), donor or desynced node (2) or joined one
     * still catching up (3) is left for another node, and a node outside the primary component answers
     * every query with error 1047 (wsrep_ready OFF).
     */
    static String galeraProblem(Connection c) throws SQLException {
        String ready = null;
        String state = null;
        String comment = null;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS WHERE Variable_name IN"
                     + " ('wsrep_ready', 'wsrep_local_state', 'wsrep_local_state_comment')")) {
            while (rs.next()) {
                switch (rs.getString(1).toLowerCase(Locale.ROOT)) {
                    case "wsrep_ready" -> ready = rs.getString(2);
                    case "wsrep_local_state" -> state = rs.getString(2);
                    case "wsrep_local_state_comment" -> comment = rs.getString(2);
                    default -> { }
                }
            }
        } finally {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        }
        if (ready == null) {
            return null;
        }
        if (!"ON".equalsIgnoreCase(ready)) {
            return "is not ready (wsrep_ready = " + ready + ": not in the primary component)";
        }
        if (state != null && !state.equals("4")) {
            return "is not synced (wsrep_local_state = " + state + ", " + comment + ")";
        }
        return null;
    }

    static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            // Already broken; nothing left to release on our side.
        }
    }
}
