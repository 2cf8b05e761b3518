package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.common.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where readings are committed. {@link Kind#EMBEDDED} is an H2 file store at {@code embeddedPath}
 * (no setup, for trying the gateway out); {@link Kind#MYSQL} is a MySQL or MariaDB server.
 *
 * <p>Values that go into the JDBC URL follow {@link JdbcUrlValues}, checked again here so that no
 * caller can build a URL with parameters of its own.
 *
 * @param jdbcOptions extra JDBC URL parameters for MySQL, appended verbatim (may be empty)
 * @param migrate     whether start-up applies missing schema migrations or only checks them
 */
public record StoreConfig(
        Kind kind,
        Path embeddedPath,
        String host,
        int port,
        String database,
        String user,
        Path passwordFile,
        String jdbcOptions,
        MigrationMode migrate,
        Duration connectTimeout) {

    public static final Path DEFAULT_EMBEDDED_PATH = Path.of("data/pi-gateway");
    public static final int DEFAULT_PORT = 3306;
    public static final String DEFAULT_DATABASE = "pi";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Keys that only {@code store.type = mysql} reads; with the embedded store they are refused, not ignored. */
    private static final List<String> MYSQL_ONLY_KEYS = List.of("store.host", "store.port",
            "store.database", "store.jdbc-options", "store.user", "store.password-file");

    public enum Kind { EMBEDDED, MYSQL }

    public enum MigrationMode { APPLY, CHECK }

    public StoreConfig {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(migrate, "migrate");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        jdbcOptions = jdbcOptions == null ? "" : jdbcOptions;
        if (kind == Kind.EMBEDDED) {
            Objects.requireNonNull(embeddedPath, "embeddedPath");
            urlSafe("store.embedded-path", embeddedPath.toString(), JdbcUrlValues.embeddedPathProblem(embeddedPath.toString()));
        } else {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(user, "user");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("store.port must be 1..65535, not " + port);
            }
            urlSafe("store.host", host, DatabaseNode.problem(host));
            urlSafe("store.database", database, JdbcUrlValues.databaseProblem(database));
            urlSafe("store.jdbc-options", jdbcOptions, JdbcUrlValues.jdbcOptionsProblem(jdbcOptions));
        }
    }

    private static void urlSafe(String field, String value, String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(field + " '" + value + "' " + problem);
        }
    }

    /** The {@code store.*} keys; the password file must be readable, not yet read. */
    public static StoreConfig from(Settings s) throws ConfigException {
        Kind kind = s.choice("store.type", Kind.class, Kind.EMBEDDED);
        MigrationMode migrate = s.choice("store.migrate", MigrationMode.class,
                MigrationMode.APPLY);
        Duration connectTimeout = s.duration("store.connect-timeout", DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis(100),
                Duration.ofMinutes(5));
                if (kind == Kind.EMBEDDED) {
            for (String key : MYSQL_ONLY_KEYS) {
                s.refuseIfSet(key, "store.type = embedded");
            }
            Path embeddedPath = s.path("store.embedded-path", DEFAULT_EMBEDDED_PATH);
            refuse(s, "store.embedded-path", embeddedPath.toString(), JdbcUrlValues.embeddedPathProblem(embeddedPath.toString()));
            return new StoreConfig(kind, embeddedPath, null, 0, null, null, null, "", migrate, connectTimeout);
        } else {
            s.refuseIfSet("store.embedded-path", "store.type = mysql");
            String host = s.requiredString("store.host");
            refuse(s, "store.host", host, DatabaseNode.problem(host));
            int port = s.intIn("store.port", DEFAULT_PORT, 1, 65535);
            String database = s.string("store.database", DEFAULT_DATABASE);
            refuse(s, "store.database", database, JdbcUrlValues.databaseProblem(database));
            String options = s.string("store.jdbc-options", "");
            refuse(s, "store.jdbc-options", options, JdbcUrlValues.jdbcOptionsProblem(options));
            String user = s.requiredString("store.user");
            Path passwordFile = SecretFile.resolve(s, "store.password-file");
            if (passwordFile == null) {
                throw new ConfigException(s.source() + ": key 'store.password-file' is required when store.type = mysql"
                        + " (the password is read from a file, never from this configuration)");
            }
            try {
                SecretFile.at(passwordFile).check();
            } catch (ConfigException e) {
                throw s.invalid("store.password-file", s.string("store.password-file", ""), e.getMessage());
            }
            return new StoreConfig(kind, null, host, port, database, user, passwordFile, options, migrate, connectTimeout);
        }
    }

    /** Throws the configuration error for {@code key} if {@code problem} is not {@code null}. */
    private static void refuse(Settings s, String key, String value, String problem) throws ConfigException {
        if (problem != null) {
            throw s.invalid(key, value, problem);
        }
    }

    public static StoreConfig embedded(Path path) {
        return new StoreConfig(Kind.EMBEDDED, path, null, 0, null, null, null, "", MigrationMode.APPLY,
                DEFAULT_CONNECT_TIMEOUT);
    }

    public static StoreConfig mysql(String host, int port, String database, String user, Path passwordFile) {
        return new StoreConfig(Kind.MYSQL, null, host, port, database, user, passwordFile, "", MigrationMode.APPLY,
                DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * The servers {@code host} names, in order: one, or the nodes of a cluster (see {@link DatabaseNode});
     * empty for the embedded store.
     */
    public List<DatabaseNode> nodes() {
        return kind == Kind.EMBEDDED ? List.of() : DatabaseNode.parse(host, port);
    }

    /**
     * For {@code check-config}, without creating anything: {@code null} if {@code run} can make or open
     * the embedded store's directory (the parent of {@link #embeddedPath}; H2 creates it, and any missing
     * directory above it, at the first start), else a sentence saying why not. Writability is
     * {@link #embeddedUnwritable}'s half.
     */
    public String embeddedDirectoryProblem() {
        Path dir = embeddedDirectory();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) {
                return null;
            }
            if (Files.exists(p)) {
                return p.equals(dir) ? "its directory " + dir + " is not a directory"
                        : "its directory " + dir + " cannot be created: " + p + " is not a directory";
            }
        }
        return "its directory " + dir + " cannot be created: no directory above it exists";
    }

    /**
     * The directory {@code run} writes in for the embedded store (its own, else the nearest one above it
     * that exists, where the missing ones would be made) if this user cannot write there, else {@code null}.
     */
    public Path embeddedUnwritable() {
        for (Path p = embeddedDirectory(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) {
                return Files.isWritable(p) ? null : p;
            }
        }
        return null;
    }

    private Path embeddedDirectory() {
        Path dir = embeddedPath.toAbsolutePath().normalize().getParent();
        return dir == null ? Path.of("/") : dir;
    }

    /** Where the store is, for log lines; never includes the password. */
    public String describe() {
        if (kind == Kind.EMBEDDED) {
            return "embedded H2 store at " + embeddedPath.toAbsolutePath();
        }
        List<DatabaseNode> nodes = nodes();
        return "MySQL " + user + "@" + (nodes.size() == 1 ? nodes.get(0) : nodes.toString()) + "/" + database;
    }
}
