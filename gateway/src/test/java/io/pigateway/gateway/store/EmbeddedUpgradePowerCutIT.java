package io.pigateway.gateway.store;

import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.testing.ForgetfulDisk;
import io.pigateway.testing.ForgetfulFilePath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway upgrade on the embedded store, cut by a power cut at a random point ({@link ForgetfulDisk}):
 * a store made by a release that knew all migrations but the last, holding acknowledged readings, is
 * opened by this release, and the power goes at a write, truncation or sync of that start: at each one
 * in turn, on a fresh copy of the old store, with a random part of the unsynced writes kept (seeded).
 * After every cut the store must open, have the old schema or the new one (never a mix), hold every
 * acknowledged reading, and the next start must complete the upgrade. Set {@code -Dpowercut.seed=N}
 * to repeat a run.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ExtendWith(EmbeddedFileSystem.ResetAfterEach.class)
class EmbeddedUpgradePowerCutIT {
    /** An upgrade makes about 45 disk operations (copy, migrations, syncs, the start after the rename). */
    private static final int MIN_CUTS = 20;
    private static final long STREAM = 1;
    private static final int READINGS = 2_000;

    @TempDir
    Path dir;

    @Test
    void anUpgradeCutAtAnyPointLeavesTheOldSchemaOrTheNewOneAndEveryAcknowledgedReading() throws Exception {
        long seed = Long.getLong("powercut.seed", System.nanoTime());
        String context = "seed " + seed + " (repeat with -Dpowercut.seed=" + seed + ")";
        // The page cache wrote back a random part of the unsynced writes: that is what tears an in-place migration.
        ForgetfulDisk disk = new ForgetfulDisk(seed, 0.5);
        List<Migration> all = Migration.all();
        Migrations older = new Migrations(all.subList(0, all.size() - 1), "the store of the older release");
        Migrations current = new Migrations(all, "the store of this release");
        WriterConfig writers = Fixtures.writers(2, 200, Duration.ZERO, 100_000);

        Path old = dir.resolve("old").resolve("pi-gateway");
        BitSet acked = writeWithTheOlderRelease(old, older, writers);
        List<String> oldSchema = schema(old);

        // One upgrade without a cut: the new schema, and how many disk operations the upgrade makes.
        Path measured = copyOf(old, "measured");
        EmbeddedFileSystem.use(ForgetfulFilePath.register(disk));
        long before = disk.operations();
        Store.open(StoreConfig.embedded(measured), writers, Metrics.NONE, current).close(Duration.ofSeconds(5));
        long upgradeOperations = disk.operations() - before;
        List<String> newSchema = schema(measured);
        assertNotEquals(oldSchema, newSchema, "the last migration changes the schema");

        List<String> failures = new ArrayList<>();
        int stayedOld = 0;
        long cuts = Math.max(upgradeOperations, MIN_CUTS);
        for (long round = 1; round <= cuts; round++) {
            long at = 1 + (round - 1) % upgradeOperations; // each operation once, again from the first if there are few
            Path file = copyOf(old, "round" + round);
            EmbeddedFileSystem.use(ForgetfulFilePath.register(disk));
            disk.cutAtOperation(at);
            long cutsBefore = disk.cuts();
            boolean opened = false;
            try {
                Store.open(StoreConfig.embedded(file), writers, Metrics.NONE, current).close(Duration.ofSeconds(5));
                opened = true;
            } catch (StoreException | RuntimeException e) {
                // The power went during the upgrade.
            }
            if (opened && disk.cuts() == cutsBefore) {
                disk.cut(); // this start made fewer operations than the measured one: cut after it instead
            }
            String name = "round " + round + " (cut at operation " + at + " of " + upgradeOperations + "): ";
            System.out.println(name + disk.lastCut() + "; store opened before the cut: " + opened);
            EmbeddedFileSystem.use(ForgetfulFilePath.register(disk));
            try {
                List<String> after = schema(file);
                if (after.equals(oldSchema)) {
                    stayedOld++;
                } else if (!after.equals(newSchema)) {
                    failures.add(name + "the schema is neither the old one nor the new one: " + after);
                }
                Store.open(StoreConfig.embedded(file), writers, Metrics.NONE, current).close(Duration.ofSeconds(5));
                if (!schema(file).equals(newSchema)) {
                    failures.add(name + "the next start did not complete the upgrade: " + schema(file));
                }
                failures.addAll(EmbeddedStorePowerCutIT.missing(file, STREAM, acked).stream().map(f -> name + f).toList());
                if (Files.exists(Path.of(file + EmbeddedMigration.UPGRADE + EmbeddedMigration.H2_SUFFIX))) {
                    failures.add(name + "the next start left the upgrade's file aside behind");
                }
            } catch (Exception e) {
                failures.add(name + "the store did not open after the cut: " + e);
            }
        }
        System.out.println(cuts + " power cuts during an upgrade of " + upgradeOperations + " disk operations ("
                + context + "): " + stayedOld + " cuts left the old schema; failures: " + failures);
        assertEquals(List.of(), failures, context);
        assertTrue(stayedOld > 0 && stayedOld < cuts, "the cuts fell both before and after the upgrade"
                + " took effect: " + stayedOld + " of " + cuts + " left the old schema; " + context);
    }

    /** A store made by the older release, on the real disk, with {@link #READINGS} acknowledged readings. */
    private static BitSet writeWithTheOlderRelease(Path file, Migrations older, WriterConfig writers) throws Exception {
        BitSet acked = new BitSet();
        try (Store store = Store.open(StoreConfig.embedded(file), writers, Metrics.NONE, older)) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (int first = 1; first <= READINGS; first += 100) {
                futures.add(submit(store, Fixtures.batch(EmbeddedStorePowerCutIT.DEVICE, STREAM, first, 100)));
            }
            for (CompletableFuture<Void> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        acked.set(1, READINGS + 1);
        return acked;
    }

    private Path copyOf(Path store, String name) throws Exception {
        Path copy = dir.resolve(name).resolve("pi-gateway");
        Files.createDirectories(copy.getParent());
        Files.copy(Path.of(store + EmbeddedMigration.H2_SUFFIX), Path.of(copy + EmbeddedMigration.H2_SUFFIX));
        return copy;
    }

    /** Tables, views, columns, indexes and applied versions, one line each, sorted: what the migrations made. */
    private static List<String> schema(Path file) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(EmbeddedFileSystem.url(file), "", "");
             Statement s = c.createStatement()) {
            for (String sql : List.of(
                    "SELECT 'table ' || table_name || ' ' || table_type FROM information_schema.tables"
                            + " WHERE LOWER(table_schema) = 'public'",
                    "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns"
                            + " WHERE LOWER(table_schema) = 'public'",
                    "SELECT 'index ' || table_name || '.' || index_name FROM information_schema.indexes"
                            + " WHERE LOWER(table_schema) = 'public'",
                    "SELECT 'version ' || version FROM schema_version")) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    while (rs.next()) {
                        lines.add(rs.getString(1));
                    }
                }
            }
        }
        return lines.stream().sorted().toList();
    }
}
