package io.pigateway.gateway.store;

import io.pigateway.gateway.config.StoreConfig.MigrationMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
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
        TreeSet<Integer> applied = applied(c);
        if (!applied.isEmpty() && applied.last() > latest()) {
            throw new StoreException("the schema of " + store + " is at version " + applied.last()
                    + ", newer than version " + latest() + ", the newest this gateway knows; "
                    + "run a gateway release that knows version " + applied.last() + " or use another database");
        }
        List<Migration> missing = known.stream().filter(m -> !applied.contains(m.version())).toList();
        if (missing.isEmpty()) {
            Logger.debug("schema of {} is at version {}", store, latest());
            return 0;
        }
        if (mode == MigrationMode.CHECK) {
            throw new StoreException("the schema of " + store + " lacks migration"
                    + (missing.size() == 1 ? " " : "s ") + missing.stream().map(Migration::toString)
                    .collect(Collectors.joining(", "))
                    + "; apply them from deploy/sql or start once with store.migrate = apply");
        }
        for (Migration m : missing) {
            apply(c, m);
        }
        return missing.size();
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
