package io.pigateway.gateway.testing;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.testing.TestDatabase;
import io.pigateway.testing.TestSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The test database server ({@link TestDatabase}, from test-support) in the gateway's terms: each
 * test's fresh schema as a {@link StoreConfig}, and queries through a store configuration, MySQL or
 * the embedded H2 file.
 */
public final class TestStores {
    private static TestStores shared;

    private final TestDatabase server;

    private TestStores(TestDatabase server) {
        this.server = server;
    }

    /** The server for this JVM ({@link TestDatabase#shared()}), started on the first call. */
    public static synchronized TestStores shared() {
        if (shared == null) {
            shared = new TestStores(TestDatabase.shared());
        }
        return shared;
    }

    /** The server itself: to stop and start it, or for its port. */
    public TestDatabase server() {
        return server;
    }

    /** A new, empty database on the server and a store configuration for it; see {@link TestDatabase#freshSchema}. */
    public StoreConfig freshSchema(Path dir) throws SQLException, IOException {
        return mysql(server.freshSchema(dir));
    }

    /** The store configuration that names {@code schema}'s server(s), database, account and password file. */
    public static StoreConfig mysql(TestSchema schema) {
        return StoreConfig.mysql(schema.host(), schema.port(), schema.database(), schema.user(), schema.passwordFile());
    }

    /** The first column of the first row, e.g. of {@code SELECT COUNT(*) ...}, on the store's database. */
    public long queryLong(StoreConfig store, String sql, Object... params) throws SQLException {
        try (Connection c = connect(store)) {
            return TestDatabase.queryLong(c, sql, params);
        }
    }

    /** Runs one statement on the store's database, e.g. to break it on purpose; returns the update count. */
    public int execute(StoreConfig store, String sql, Object... params) throws SQLException {
        try (Connection c = connect(store)) {
            return TestDatabase.execute(c, sql, params);
        }
    }

    /**
     * A connection (autocommit on) to the database of a store configuration: MySQL with the
     * configured password file, or the embedded H2 file, with the same URL the store uses.
     */
    public static Connection connect(StoreConfig store) throws SQLException {
        if (store.kind() == StoreConfig.Kind.EMBEDDED) {
            return DriverManager.getConnection(h2Url(store.embeddedPath()), "", "");
        }
        // The first node of a cluster: the one the gateway writes through until it fails.
        return TestDatabase.connect(new TestSchema(store.nodes().get(0).toString(), store.port(), store.database(),
                store.user(), store.passwordFile()));
    }

    /** Must equal the store's URL, or the second connection would open the file with other settings. */
    public static String h2Url(Path file) {
        return "jdbc:h2:file:" + file.toAbsolutePath() + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;NON_KEYWORDS=VALUE"
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000";
    }
}
