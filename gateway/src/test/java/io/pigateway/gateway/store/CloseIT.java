package io.pigateway.gateway.store;

import io.pigateway.testing.Await;
import static io.pigateway.gateway.store.Fixtures.batch;
import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** close() is the SIGTERM path: finish and acknowledge what was received, then take nothing more. */
class CloseIT {
    private static final TestStores DB = TestStores.shared();

    @TempDir
    Path dir;

    @Test
    void closeCommitsEverythingAlreadySubmittedBeforeReturning() throws Exception {
        StoreConfig config = DB.freshSchema(dir);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        // A long batchMaxWait keeps batches queued when close() is called.
        Store store = Store.open(config, Fixtures.writers(2, 100, Duration.ofMillis(300), 100_000));
        for (int i = 0; i < 50; i++) {
            futures.add(submit(store, batch("dev-" + (i % 3), 1, 1 + i * 20L, 20)));
        }
        store.close(Duration.ofSeconds(20));

        for (CompletableFuture<Void> f : futures) {
            assertTrue(f.isDone() && !f.isCompletedExceptionally(), "committed before close() returned");
        }
        assertEquals(1000, DB.queryLong(config, "SELECT COUNT(*) FROM readings"));
        assertEquals(0, store.queueDepth());
    }

    @Test
    void closedStoreRefusesNewWork() throws Exception {
        Store store = Store.open(DB.freshSchema(dir), Fixtures.writers());
        store.close();
        store.close(); // idempotent

        StoreException refused = assertThrows(StoreException.class, () -> submit(store, batch("dev-1", 1, 1, 5)));
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
        ExecutionException e = assertThrows(ExecutionException.class, () -> store.recordSession(Fixtures.session("dev-1", 1)).get());
        assertInstanceOf(StoreException.class, e.getCause());
        assertFalse(store.healthy());
        assertEquals(0, store.queueDepth());
    }

    @Test
    void closeGivesUpOnAStuckDatabaseAfterItsTimeoutAndFailsWhatWasNotCommitted() throws Exception {
        StoreConfig config = DB.freshSchema(dir);
        Store store = Store.open(config, Fixtures.writers(1, 100, Duration.ZERO, 1000));
        Fixtures.await(store.recordSession(Fixtures.session("dev-1", 1)));
        CompletableFuture<Void> stuck;
        try (Connection blocker = TestStores.connect(config)) {
            blocker.setAutoCommit(false);
            try (PreparedStatement s = blocker.prepareStatement("SELECT * FROM devices FOR UPDATE")) {
                s.executeQuery().close();
            }
            stuck = submit(store, batch("dev-1", 1, 1, 10));
            Await.until("the writer waits for the row lock", Duration.ofSeconds(10),
                    () -> store.stuckAfter(Duration.ofMillis(50)).isPresent());

            long started = System.nanoTime();
            store.close(Duration.ofMillis(500));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(tookMillis < 3000, "close took " + tookMillis + " ms");
            assertTrue(stuck.isCompletedExceptionally(), "the uncommitted batch failed, it did not hang or succeed");
            blocker.rollback();
        }
        ExecutionException e = assertThrows(ExecutionException.class, stuck::get);
        assertInstanceOf(StoreException.class, e.getCause());
        assertEquals(0, DB.queryLong(config, "SELECT COUNT(*) FROM readings"));
        assertEquals(0, store.queueDepth());
    }
}
