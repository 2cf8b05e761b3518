package io.pigateway.gateway.store;

import static io.pigateway.gateway.store.Fixtures.batch;
import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many connections at once: every reading lands once, and writers group frames into fewer transactions. */
class BatchingIT {
    private static final int THREADS = 20;
    private static final int BATCHES_PER_THREAD = 50;
    private static final int READINGS_PER_BATCH = 100;

    @TempDir
    Path dir;

    @Test
    void concurrentSubmitsFromManyThreadsAllCommitInFewerTransactionsOnMariaDb() throws Exception {
        StoreConfig config = TestStores.shared().freshSchema(dir);
        submitFromManyThreads(config);
    }

    @Test
    void concurrentSubmitsFromManyThreadsAllCommitInFewerTransactionsOnH2() throws Exception {
        submitFromManyThreads(StoreConfig.embedded(dir.resolve("store")));
    }

    private void submitFromManyThreads(StoreConfig config) throws Exception {
        int total = THREADS * BATCHES_PER_THREAD * READINGS_PER_BATCH;
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        try (Store store = Store.open(config, Fixtures.writers(2, 1000, Duration.ofMillis(10), 20_000));
             ExecutorService devices = Executors.newFixedThreadPool(THREADS)) {
            List<Future<List<CompletableFuture<Void>>>> perThread = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                String device = "dev-" + t;
                perThread.add(devices.submit(() -> {
                    List<CompletableFuture<Void>> mine = new ArrayList<>();
                    for (int b = 0; b < BATCHES_PER_THREAD; b++) {
                        mine.add(submit(store, batch(device, 1, 1 + (long) b * READINGS_PER_BATCH, READINGS_PER_BATCH)));
                    }
                    return mine;
                }));
            }
            for (Future<List<CompletableFuture<Void>>> f : perThread) {
                futures.addAll(f.get(60, TimeUnit.SECONDS));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            StoreStats stats = store.stats();
            assertEquals(total, stats.committedReadings());
            assertEquals(0, stats.duplicateReadings());
            assertEquals(THREADS * BATCHES_PER_THREAD, stats.batches());
            assertTrue(stats.commits() < stats.batches(), "grouped: " + stats);
            assertEquals(0, stats.failedBatches());
            assertEquals(0, store.queueDepth());
        }
        assertTrue(futures.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
        assertEquals(total, TestStores.shared().queryLong(config, "SELECT COUNT(*) FROM readings"));
    }
}
