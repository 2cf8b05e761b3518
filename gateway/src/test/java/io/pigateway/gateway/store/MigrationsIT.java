package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.StoreConfig.MigrationMode;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsIT {
    private static final TestStores DB = TestStores.shared();
    private static final List<String> TABLES = List.of("schema_version", "devices", "connections", "readings");

    @TempDir
    Path dir;

    private static StoreConfig withMode(StoreConfig c, MigrationMode mode) {
        return new StoreConfig(c.kind(), c.embeddedPath(), c.host(), c.port(), c.database(), c.user(), c.passwordFile(),
                c.jdbcOptions(), mode, c.connectTimeout());
    }

    private static int migrate(StoreConfig store, MigrationMode mode) throws Exception {
        try (Connection c = ConnectionSource.of(store).open()) {
            int applied = Migrations.shipped(store.describe()).run(c, mode);
            c.commit();
            return applied;
        }
    }

    private void appliesOnceThenIsANoOp(StoreConfig store) throws Exception {
        int latest = Migration.all().size();
        assertEquals(latest, migrate(store, MigrationMode.APPLY));
        for (String table : TABLES) {
            assertEquals(0, DB.queryLong(store, "SELECT COUNT(*) FROM " + table + " WHERE 1 = 0"), table);
        }
        assertEquals(latest, DB.queryLong(store, "SELECT MAX(version) FROM schema_version"));
        assertEquals(1, DB.queryLong(store, "SELECT COUNT(*) FROM schema_version WHERE version = 1"
                + " AND description = 'initial schema' AND applied_at IS NOT NULL"));

        assertEquals(0, migrate(store, MigrationMode.APPLY), "second run applies nothing");
        assertEquals(0, migrate(store, MigrationMode.CHECK), "check passes on a current schema");
        assertEquals(latest, DB.queryLong(store, "SELECT COUNT(*) FROM schema_version"));
    }

    @Test
    void applyOnEmptyMariaDbSchemaCreatesTablesAndRecordsVersionsOnce() throws Exception {
        appliesOnceThenIsANoOp(DB.freshSchema(dir));
    }

    @Test
    void twoMigrationsStartingAtOnceOnAnEmptySchemaApplyEachMigrationOnceAndBothSucceed() throws Exception {
        StoreConfig store = DB.freshSchema(dir);
        int latest = Migration.all().size();
        for (int round = 0; round < 3; round++) { // a race lost once proves little; the lock must hold every time
            StoreConfig fresh = round == 0 ? store : DB.freshSchema(dir);
            CyclicBarrier start = new CyclicBarrier(2);
            Callable<Integer> gateway = () -> {
                try (Connection c = ConnectionSource.of(fresh).open()) {
                    start.await(10, TimeUnit.SECONDS);
                    int applied = Migrations.shipped(fresh.describe()).run(c, MigrationMode.APPLY);
                    c.commit();
                    return applied;
                }
            };
            try (ExecutorService two = Executors.newFixedThreadPool(2)) {
                Future<Integer> first = two.submit(gateway);
                Future<Integer> second = two.submit(gateway);
                int a = first.get(60, TimeUnit.SECONDS); // each fails the test if its migration failed
                int b = second.get(60, TimeUnit.SECONDS);
                assertEquals(latest, a + b, "one applied everything, the other found it applied: " + a + " and " + b);
            }
            assertEquals(latest, DB.queryLong(fresh, "SELECT COUNT(*) FROM schema_version"));
        }
    }

    @Test
    void applyOnEmptyH2StoreCreatesTablesAndRecordsVersionsOnce() throws Exception {
        appliesOnceThenIsANoOp(StoreConfig.embedded(dir.resolve("h2").resolve("store")));
    }

    @Test
    void checkModeOnEmptySchemaRefusesToOpenNamingTheMissingVersions() throws Exception {
        StoreConfig store = withMode(DB.freshSchema(dir), MigrationMode.CHECK);
        StoreException e = assertThrows(StoreException.class, () -> Store.open(store, Fixtures.writers()));
        assertTrue(e.getMessage().contains(store.describe()), e.getMessage());
        assertTrue(e.getMessage().contains("lacks migrations 001 (initial schema), 002 (sensors)"), e.getMessage());
        assertEquals(0, DB.queryLong(store, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ?",
                store.database()), "check mode created nothing");
    }

    @Test
    void schemaNewerThanThisReleaseIsRefusedNamingBothVersions() throws Exception {
        StoreConfig store = DB.freshSchema(dir);
        migrate(store, MigrationMode.APPLY);
        DB.execute(store, "INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01 00:00:00')");
        StoreException e = assertThrows(StoreException.class, () -> Store.open(store, Fixtures.writers()));
        int latest = Migration.all().size();
        assertTrue(e.getMessage().contains("at version 99, newer than version " + latest), e.getMessage());
        assertTrue(e.getMessage().contains(store.describe()), e.getMessage());
    }

    @Test
    void storeOpensWithCheckModeOnACurrentSchema() throws Exception {
        StoreConfig store = DB.freshSchema(dir);
        migrate(store, MigrationMode.APPLY);
        try (Store s = Store.open(withMode(store, MigrationMode.CHECK), Fixtures.writers())) {
            Fixtures.await(Fixtures.submit(s, Fixtures.batch("dev-1", 1, 1, 3)));
        }
        assertEquals(3, DB.queryLong(store, "SELECT COUNT(*) FROM readings"));
    }

    @Test
    void storeOpenClosesWithinAShortTimeout() throws Exception {
        Store s = Store.open(DB.freshSchema(dir), Fixtures.writers());
        long t = System.nanoTime();
        s.close(Duration.ofSeconds(5));
        assertTrue(System.nanoTime() - t < 2_000_000_000L, "an idle store closes at once");
    }
}
