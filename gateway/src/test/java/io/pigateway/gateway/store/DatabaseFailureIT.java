package io.pigateway.gateway.store;

import io.pigateway.testing.Await;
import io.pigateway.testing.TcpRelay;
import static io.pigateway.gateway.store.Fixtures.await;
import static io.pigateway.gateway.store.Fixtures.batch;
import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When transactions fail, futures fail (never complete normally), and the store recovers by itself. */
class DatabaseFailureIT {
    private static final TestStores DB = TestStores.shared();

    /**
     * One writer that collects for a second before its transaction: frames submitted together while the
     * database is failing reach it as one group, queued before the failure is known.
     */
    private static final WriterConfig HOLDING_WRITER = Fixtures.writers(1, 1000, Duration.ofSeconds(1), 100_000);

    @TempDir
    Path dir;

    @Test
    void missingTableFailsBatchesWithStoreExceptionUntilItIsBack() throws Exception {
        StoreConfig config = DB.freshSchema(dir);
        try (Store store = Store.open(config, HOLDING_WRITER)) {
            await(submit(store, batch("dev-1", 1, 1, 10)));

            DB.execute(config, "RENAME TABLE readings TO readings_away");
            // Queued together before the writer's transaction fails; from then on submit refuses at the door.
            List<CompletableFuture<Void>> during = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                during.add(submit(store, batch("dev-1", 1, 1 + i * 10L, 10)));
            }
            for (CompletableFuture<Void> f : during) {
                StoreException e = failure(f);
                assertTrue(e.getMessage().contains("committing 10 readings of device dev-1"), e.getMessage());
                assertTrue(e.getMessage().contains("readings"), e.getMessage());
                assertTrue(e.getMessage().contains("queue depth"), e.getMessage());
                assertInstanceOf(SQLException.class, e.getCause());
            }
            assertFalse(store.healthy());
            assertEquals(5, store.stats().failedBatches());
            assertEquals(0, store.queueDepth(), "failed batches gave their room back");

            DB.execute(config, "RENAME TABLE readings_away TO readings");
            Await.until("the prober wrote to the table again", Duration.ofSeconds(10), store::healthy);
            await(submit(store, batch("dev-1", 1, 61, 10)));
            assertTrue(store.healthy());
        }
        assertEquals(20, DB.queryLong(config, "SELECT COUNT(*) FROM readings"), "only acknowledged batches are stored");
    }

    @Test
    void unreachableDatabaseFailsBatchesAndStoreReconnectsWhenItIsBack() throws Exception {
        StoreConfig direct = DB.freshSchema(dir);
        try (TcpRelay proxy = new TcpRelay(direct.port())) {
            StoreConfig viaProxy = Fixtures.through(proxy, direct);
            long acknowledged = 0;
            try (Store store = Store.open(viaProxy, HOLDING_WRITER)) {
                await(submit(store, batch("dev-1", 1, 1, 10)));
                acknowledged += 10;

                proxy.cut();
                long seq = 11;
                List<CompletableFuture<Void>> during = new ArrayList<>();
                for (int i = 0; i < 6; i++, seq += 10) {
                    during.add(submit(store, batch("dev-1", 1, seq, 10)));
                }
                for (CompletableFuture<Void> f : during) {
                    assertInstanceOf(SQLException.class, failure(f).getCause());
                }
                assertFalse(store.healthy());

                proxy.restore();
                // The prober waits out its backoff (at most 200 ms here) and reconnects; the writer commits again.
                Await.until("the prober reached the database again", Duration.ofSeconds(10), store::healthy);
                CompletableFuture<Void> after = submit(store, batch("dev-1", 1, seq, 10));
                await(after);
                acknowledged += 10;
                assertTrue(store.healthy());
            }
            assertEquals(acknowledged, DB.queryLong(direct, "SELECT COUNT(*) FROM readings"));
        }
    }

    @Test
    void duringAnOutageWorkIsRefusedAtOnceAndTheStoreNoticesTheDatabaseIsBackWithoutTraffic() throws Exception {
        StoreConfig direct = DB.freshSchema(dir);
        try (TcpRelay proxy = new TcpRelay(direct.port())) {
            StoreConfig viaProxy = Fixtures.through(proxy, direct);
            try (Store store = Store.open(viaProxy, Fixtures.writers())) {
                proxy.cut();
                failure(submit(store, batch("dev-1", 1, 1, 10)));
                assertFalse(store.healthy());

                long started = System.nanoTime();
                StoreException refused = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
                        () -> store.submit(batch("dev-1", 1, 11, 10), Duration.ofSeconds(10)));
                assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(1), "refused at once, not after the wait");
                assertTrue(refused.getMessage().contains("has been failing for") && refused.getMessage().contains("retry later"),
                        refused.getMessage());
                assertTrue(failure(store.recordSession(Fixtures.session("dev-1", 1))).getMessage().contains("has been failing for"));
                assertEquals(0, store.queueDepth());

                proxy.restore();
                Await.until("the prober found the database again with no batch submitted", Duration.ofSeconds(10),
                        store::healthy);
                await(store.submit(batch("dev-1", 1, 21, 10), Duration.ofSeconds(10)));
            }
            assertEquals(10, DB.queryLong(direct, "SELECT COUNT(*) FROM readings"), "only the acknowledged batch is stored");
        }
    }

    private static StoreException failure(CompletableFuture<Void> f) throws Exception {
        try {
            f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(StoreException.class, e.getCause());
        }
        return fail("a batch that was not committed completed normally");
    }
}
