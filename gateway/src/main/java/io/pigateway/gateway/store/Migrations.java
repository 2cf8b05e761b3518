package io.pigateway.gateway.store;

import io.pigateway.gateway.config.StoreConfig.MigrationMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.tinylog.Logger;

/**
 * Brings the schema to the version this jar knows at start-up ({@link MigrationMode#APPLY}), or only
 * verifies it is there ({@link MigrationMode#CHECK}, for databases whose schema a DBA manages).
 *
 * <p>Applied versions are rows of {@code schema_version}; a schema without that table is empty
 * (version 0). MySQL commits each DDL statement on its own, so a migration that fails half-way
 * leaves its first tables behind and needs them dropped by hand before the next start.
 */
final class Migrations {
    /** Named lock held while applying; one per database (GET_LOCK names are server-wide). */
    static final String LOCK_PREFIX = "pi-gateway.migrate.";
    /** How long a gateway waits for another one's migrations before giving up. */
    static final Duration LOCK_WAIT = Duration.ofMinutes(10);

    private final List<Migration> known;
    private final String store;

    Migrations(List<Migration> known, String store) {
        this.known = List.copyOf(known);
        this.store = store;
    }

    static Migrations shipped(String store) {
        return new Migrations(Migration.all(), store);
    }

    int latest() {
        return known.getLast().version();
    }

    /** Applies or checks; returns the number of migrations applied. */
    int run(Connection c, MigrationMode mode) throws SQLException, StoreException {
        return runListing(c, mode).size();
    }

    /**
     * Applies or checks; returns the migrations applied, oldest first. On MySQL and MariaDB, applying
     * holds a named lock ({@code GET_LOCK}) from reading the applied versions to the last migration,
     * so two gateways (or {@code gateway migrate}s) starting on an empty schema at once apply each
     * migration once: the second waits, then finds them applied. H2 needs none: one process at a
     * time opens the file.
     */
    List<Migration> runListing(Connection c, MigrationMode mode) throws SQLException, StoreException {
        if (mode == MigrationMode.CHECK || !mysql(c)) {
            return checkOrApply(c, mode);
        }
        String lock = LOCK_PREFIX + c.getCatalog();
        lock = lock.substring(0, Math.min(lock.length(), 64)); // MySQL's limit for lock names
        lock(c, lock);
        try {
            return checkOrApply(c, mode);
        } finally {
            release(c, lock);
        }
    }

    /** The known migrations the schema lacks, oldest first; fails if the schema is newer than this release knows. */
    List<Migration> missing(Connection c) throws SQLException, StoreException {
        TreeSet<Integer> applied = applied(c);
        if (!applied.isEmpty() && applied.last() > latest()) {
            throw new StoreException("the schema of " + store + " is at version " + applied.last()
                    + ", newer than version " + latest() + ", the newest this gateway knows; "
                    + "run a gateway release that knows version " + applied.last() + " or use another database");
        }
        return known.stream().filter(m -> !applied.contains(m.version())).toList();
    }

    private List<Migration> checkOrApply(Connection c, MigrationMode mode) throws SQLException, StoreException {
        List<Migration> missing = missing(c);
        if (missing.isEmpty()) {
            Logger.debug("schema of {} is at version {}", store, latest());
            return List.of();
        }
        if (mode == MigrationMode.CHECK) {
            throw new StoreException("the schema of " + store + " lacks migration"
                    + (missing.size() == 1 ? " " : "s ") + missing.stream().map(Migration::toString)
                    .collect(Collectors.joining(", "))
                    + "; apply them with 'gateway migrate' and an administrator account (deploy/README.md, section 3)"
                    + " or start once with store.migrate = apply");
        }
        for (Migration m : missing) {
            apply(c, m);
        }
        return missing;
    }

    private static boolean mysql(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        return product.contains("mysql") || product.contains("mariadb");
    }

    private void lock(Connection c, String name) throws SQLException, StoreException {
        try (PreparedStatement s = c.prepareStatement("SELECT GET_LOCK(?, ?)")) {
            s.setString(1, name);
            s.setLong(2, LOCK_WAIT.toSeconds());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                if (rs.getInt(1) != 1) {
                    throw new StoreException("cannot apply schema migrations to " + store + ": another gateway held the"
                            + " lock '" + name + "' for more than " + LOCK_WAIT.toSeconds() + " s (GET_LOCK returned "
                            + rs.getString(1) + ")");
                }
            }
        }
    }

    private static void release(Connection c, String name) {
        try (PreparedStatement s = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
            s.setString(1, name);
            s.executeQuery().close();
        } catch (SQLException e) {
            // The server releases it when the connection closes.
            Logger.debug("releasing the migration lock failed: {}", e.getMessage());
        }
    }

    private void apply(Connection c, Migration m) throws SQLException, StoreException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            for (String sql : m.statements()) {
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    s.execute();
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                s.setInt(1, m.version());
                s.setString(2, m.description());
                // Text, for the reason in WriteSql.datetime.
                s.setString(3, WriteSql.datetime(Instant.now()));
                s.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            rollbackQuietly(c);
            throw new StoreException("applying schema migration " + m.fileName() + " to " + store
                    + " failed: " + e.getMessage(), e);
        } finally {
            c.setAutoCommit(autoCommit);
        }
        Logger.info("applied schema migration {} to {}", m.fileName(), store);
    }

    /** Versions recorded in {@code schema_version}; empty if the table does not exist yet. */
    private static TreeSet<Integer> applied(Connection c) throws SQLException {
        TreeSet<Integer> versions = new TreeSet<>();
        // Look in the connection's own database only: MySQL's driver would search all of them for a null catalog.
        try (ResultSet tables = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "schema_version",
                new String[] {"TABLE"})) {
            if (!tables.next()) {
                return versions;
            }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT version FROM schema_version");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
        }
        return versions;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            Logger.debug("rollback failed too: {}", e.getMessage());
        }
    }
}
