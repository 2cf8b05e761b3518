package io.pigateway.gateway.store;

import static io.pigateway.gateway.store.Fixtures.await;
import static io.pigateway.gateway.store.Fixtures.batch;
import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full queue makes submit wait, up to its timeout. The writers are held up by a transaction of the test's own that
 * locks the device row every commit updates, so the queue stays full exactly as long as the test wants.
 */
class BackPressureIT {
    private static final int CAPACITY = 10;

    @TempDir
    Path dir;

    @Test
    void submitWaitsWhileTheQueueIsFullAndContinuesOnceWritersCommit() throws Exception {
        StoreConfig config = TestStores.shared().freshSchema(dir);
        try (Store store = Store.open(config, Fixtures.writers(1, CAPACITY, Duration.ZERO, CAPACITY))) {
            await(store.recordSession(Fixtures.session("dev-1", 1)));
            try (Connection blocker = lockDeviceRow(config)) {
                CompletableFuture<Void> first = submit(store, batch("dev-1", 1, 1, CAPACITY));
                assertEquals(CAPACITY, store.queueDepth());

                CompletableFuture<CompletableFuture<Void>> second = CompletableFuture.supplyAsync(() -> {
                    try {
                        return submit(store, batch("dev-1", 1, 11, 5));
                    } catch (InterruptedException | StoreException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(300);
                assertFalse(second.isDone(), "submit waits for room in the queue");
                assertFalse(first.isDone(), "nothing committed while the row is locked");

                blocker.commit();
                await(first);
                await(second.get(10, TimeUnit.SECONDS));
            }
            assertEquals(15, TestStores.shared().queryLong(config, "SELECT COUNT(*) FROM readings"));
            assertEquals(0, store.queueDepth());
        }
    }

    @Test
    void submitWithTimeoutGivesUpNamingQueueDepthAndCapacity() throws Exception {
        StoreConfig config = TestStores.shared().freshSchema(dir);
        try (Store store = Store.open(config, Fixtures.writers(1, CAPACITY, Duration.ZERO, CAPACITY))) {
            await(store.recordSession(Fixtures.session("dev-1", 1)));
            try (Connection blocker = lockDeviceRow(config)) {
                CompletableFuture<Void> first = store.submit(batch("dev-1", 1, 1, 8), Duration.ofSeconds(1));
                long started = System.nanoTime();
                StoreException e = assertThrows(StoreException.class,
                        () -> store.submit(batch("dev-1", 1, 9, 5), Duration.ofMillis(200)));
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertTrue(waited >= 190 && waited < 2000, "waited " + waited + " ms");
                assertTrue(e.getMessage().contains("8 of 10 readings"), e.getMessage());
                assertTrue(e.getMessage().contains("200 ms"), e.getMessage());
                assertEquals(8, store.queueDepth(), "the refused batch took no room");
                blocker.commit();
                await(first);
            }
            assertEquals(8, TestStores.shared().queryLong(config, "SELECT COUNT(*) FROM readings"));
        }
    }

    /** An open transaction holding the devices row lock; commit or close it to let writers on. */
    private static Connection lockDeviceRow(StoreConfig config) throws Exception {
        Connection c = TestStores.connect(config);
        c.setAutoCommit(false);
        try (PreparedStatement s = c.prepareStatement("SELECT * FROM devices WHERE device_id = 'dev-1' FOR UPDATE")) {
            s.executeQuery().close();
        }
        return c;
    }
}
