package io.pigateway.gateway.store;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.gateway.config.StoreConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens JDBC connections to the configured store, each ready for a writer: autocommit off,
 * READ COMMITTED (fewer gap locks between writers inserting next to each other).
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

    private final String url;
    private final Properties credentials;
    private final String description;
    /** Applied once connected; {@code null} for H2, or when the configuration sets socketTimeout itself. */
    private final Duration networkTimeout;
    private final Duration attemptLimit;
    /** H2 only: a commit reaches the file, not the disk, until it is synced. */
    private final boolean syncAfterCommit;

    private ConnectionSource(String url, Properties credentials, String description, Duration networkTimeout,
                             Duration attemptLimit, boolean syncAfterCommit) {
        this.url = url;
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
            return new ConnectionSource(h2Url(config.embeddedPath()), credentials, config.describe(), null, H2_LOCK_TIMEOUT,
                    true);
        }
        credentials.setProperty("user", config.user());
        credentials.setProperty("password", config.passwordFile() == null ? "" : readPassword(config));
        boolean ownSocketTimeout = config.jdbcOptions().contains("socketTimeout=");
        return new ConnectionSource(mysqlUrl(config), credentials, config.describe(),
                ownSocketTimeout ? null : SOCKET_TIMEOUT, config.connectTimeout().plus(socketTimeout(config.jdbcOptions())),
                false);
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
        long connectMillis = config.connectTimeout().toMillis();
        String url = "jdbc:mysql://" + config.host() + ":" + config.port() + "/" + config.database()
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

    String url() {
        return url;
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

    Connection open() throws SQLException {
        Connection c = DriverManager.getConnection(url, credentials);
        try {
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
