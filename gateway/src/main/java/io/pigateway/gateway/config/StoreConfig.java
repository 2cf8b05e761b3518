package io.pigateway.gateway.config;

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

    public enum Kind { EMBEDDED, MYSQL }

    public enum MigrationMode { APPLY, CHECK }

    public StoreConfig {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(migrate, "migrate");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        jdbcOptions = jdbcOptions == null ? "" : jdbcOptions;
        if (kind == Kind.EMBEDDED) {
            Objects.requireNonNull(embeddedPath, "embeddedPath");
            urlSafe("embeddedPath", embeddedPath.toString(), JdbcUrlValues.embeddedPathProblem(embeddedPath.toString()));
        } else {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(user, "user");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535, not " + port);
            }
            urlSafe("host", host, DatabaseNode.problem(host));
            urlSafe("database", database, JdbcUrlValues.databaseProblem(database));
            urlSafe("jdbcOptions", jdbcOptions, JdbcUrlValues.jdbcOptionsProblem(jdbcOptions));
        }
    }

    private static void urlSafe(String field, String value, String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(field + " '" + value + "' " + problem);
        }
    }

    public static StoreConfig embedded(Path path) {
        return new StoreConfig(Kind.EMBEDDED, path, null, 0, null, null, null, "", MigrationMode.APPLY,
                Duration.ofSeconds(10));
    }

    public static StoreConfig mysql(String host, int port, String database, String user, Path passwordFile) {
        return new StoreConfig(Kind.MYSQL, null, host, port, database, user, passwordFile, "", MigrationMode.APPLY,
                Duration.ofSeconds(10));
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
