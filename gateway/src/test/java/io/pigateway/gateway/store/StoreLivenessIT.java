package io.pigateway.gateway.store;

import io.pigateway.testing.Await;
import io.pigateway.testing.TcpRelay;
import static io.pigateway.gateway.store.Fixtures.await;
import static io.pigateway.gateway.store.Fixtures.batch;
import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the systemd watchdog asks the store: is a writer stuck? A failing database is not. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreLivenessIT {
    static final TestStores DB = TestStores.shared();

    @TempDir
    Path dir;

    @Test
    void aWriterHeldInsideItsTransactionIsStuckOnceItPassesTheLimitAndNotBefore() throws Exception {
        StoreConfig config = DB.freshSchema(dir);
        try (Store store = Store.open(config, Fixtures.writers());
             Connection locker = TestStores.connect(config)) {
            await(submit(store, batch("dev-1", 1, 1, 10)));
            // The future completes inside the writer's group; it is idle a moment later, and stays so.
            Await.until("the writers are idle", Duration.ofSeconds(2), () -> store.stuckAfter(Duration.ofMillis(1)).isEmpty());

            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLES readings WRITE"); // the writer's INSERT now waits
                CompletableFuture<Void> held = submit(store, batch("dev-1", 1, 11, 10));
                Await.until("the writer is held past 200 ms", Duration.ofSeconds(10),
                        () -> store.stuckAfter(Duration.ofMillis(200)).isPresent());
                assertFalse(held.isDone());
                assertEquals(Optional.empty(), store.stuckAfter(Duration.ofSeconds(5)), "within the limit");
                Optional<String> stuck = store.stuckAfter(Duration.ofMillis(200));
                assertTrue(stuck.isPresent());
                assertTrue(stuck.get().matches("store-writer-\\d has been on one transaction for \\d+ ms \\(limit 200 ms\\);"
                        + " 10 readings queued for MySQL .*"), stuck.get());
                assertEquals(Optional.empty(), store.stuck(Duration.ofMillis(200)),
                        "the real limit allows a reconnect and a socket timeout, twice");
                s.execute("UNLOCK TABLES");
                await(held);
            }
            Await.until("the writers are idle again", Duration.ofSeconds(2),
                    () -> store.stuckAfter(Duration.ofMillis(1)).isEmpty());
        }
    }

    @Test
    void anUnreachableDatabaseIsNotStuck() throws Exception {
        StoreConfig direct = DB.freshSchema(dir);
        try (TcpRelay proxy = new TcpRelay(direct.port());
             Connection locker = TestStores.connect(direct);
             Statement lock = locker.createStatement()) {
            StoreConfig viaProxy = Fixtures.through(proxy, direct);
            // One frame per transaction, and pauses after a failure growing to 2 s (100 ms, doubling), so
            // one counted as writing would show.
            WriterConfig writers = new WriterConfig(2, 10, Duration.ofMillis(5), 100_000, Duration.ofSeconds(2));
            try (Store store = Store.open(viaProxy, writers)) {
                await(submit(store, batch("dev-1", 1, 1, 10)));
                // Frames queued while the database is still up; once the outage is known, submit refuses at
                // the door, and only these keep the writers failing.
                lock.execute("LOCK TABLES readings WRITE");
                List<CompletableFuture<Void>> during = new ArrayList<>();
                long seq = 11;
                for (int i = 0; i < 60; i++, seq += 10) {
                    during.add(submit(store, batch("dev-1", 1, seq, 10)));
                }
                Await.until("a writer waits for the table", Duration.ofSeconds(10),
                        () -> store.stuckAfter(Duration.ofMillis(1)).isPresent());
                proxy.cut();
                List<String> stuck = new CopyOnWriteArrayList<>();
                // 3 s of failing: a pause counted as time on a transaction would pass the 1 s limit (it
                // doubles from 100 ms to 1.6 s within that), while failing fast stays far below it even
                // on a loaded machine.
                for (int i = 0; i < 60; i++) {
                    store.stuckAfter(Duration.ofSeconds(1)).ifPresent(stuck::add); // not even with a short limit
                    Thread.sleep(50);
                }
                assertFalse(store.healthy(), "the outage was noticed");
                assertTrue(store.stats().failedBatches() >= 4, "the writers kept failing: " + store.stats());
                assertEquals(List.of(), stuck, "failing, backing off and probing is not stuck");
                lock.execute("UNLOCK TABLES");
                proxy.restore();
                Await.until("the store is back", Duration.ofSeconds(10), store::healthy);
                await(submit(store, batch("dev-1", 1, seq, 10)));
                during.forEach(f -> f.handle((v, e) -> null).join());
            }
        }
    }

    @Test
    void theStatusListenerHearsTheOutageStartAndEndOnce() throws Exception {
        StoreConfig direct = DB.freshSchema(dir);
        try (TcpRelay proxy = new TcpRelay(direct.port())) {
            StoreConfig viaProxy = Fixtures.through(proxy, direct);
            try (Store store = Store.open(viaProxy, Fixtures.writers())) {
                List<String> heard = new CopyOnWriteArrayList<>();
                store.onAvailability(new Store.AvailabilityListener() {
                    @Override
                    public void failing(String cause) {
                        heard.add("failing: " + cause);
                    }

                    @Override
                    public void available() {
                        heard.add("available");
                    }
                });
                proxy.cut();
                for (long seq = 1; seq <= 30; seq += 10) {
                    try {
                        submit(store, batch("dev-1", 1, seq, 10)).handle((v, e) -> null).join();
                    } catch (StoreException refusedAtTheDoor) {
                        // the outage is known: nothing queued
                    }
                }
                proxy.restore();
                // healthy() turns true just before the listener hears of it, on the writer's thread
                Await.until("the store is back and the listener heard of it", Duration.ofSeconds(10),
                        () -> store.healthy() && heard.size() >= 2);
                // A repeated event would come from the writers before they commit the next batch.
                await(submit(store, batch("dev-1", 1, 31, 10)));
                assertEquals(2, heard.size(), heard.toString());
                assertTrue(heard.get(0).startsWith("failing: "), heard.toString());
                assertEquals("available", heard.get(1));
            }
        }
    }
}
