package io.pigateway.gateway;

import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.net.Listener;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.store.StoreException;
import io.pigateway.gateway.store.StoreStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * A running gateway: the store with its writers, and the listener with its connections. Start-up
 * fails as a whole (store unreachable, schema wrong, port taken) rather than running half-way.
 */
public final class Gateway implements AutoCloseable {
    private final GatewayConfig config;
    private final Store store;
    private final Listener listener;
    private final ScheduledExecutorService statsTimer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean closed;

    private Gateway(GatewayConfig config, Store store, Listener listener, ScheduledExecutorService statsTimer) {
        this.config = config;
        this.store = store;
        this.listener = listener;
        this.statsTimer = statsTimer;
    }

    public static Gateway start(GatewayConfig config) throws StoreException, IOException {
        long started = System.nanoTime();
        Store store = Store.open(config.store(), config.writer());
        for (String warning : config.tls().warnings()) {
            Logger.warn("{}", warning);
        }
        Listener listener = new Listener(config.listen(), config.limits(), config.tls(), store, config.logReadings());
        try {
            listener.start();
        } catch (IOException e) {
            store.close(config.shutdownTimeout());
            throw new IOException("cannot listen on " + config.listen().address().getHostAddress() + ":"
                    + config.listen().port() + ": " + e.getMessage(), e);
        }
        ScheduledExecutorService timer = null;
        if (!config.statsInterval().isZero()) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("gateway-stats").daemon().unstarted(r));
            StatsLine stats = new StatsLine(store, listener, config.writer().queueCapacity());
            long ms = config.statsInterval().toMillis();
            timer.scheduleAtFixedRate(stats::log, ms, ms, TimeUnit.MILLISECONDS);
        }
        Gateway gateway = new Gateway(config, store, listener, timer);
        Logger.info("ready in {} ms: listening on {}, {}; {}", (System.nanoTime() - started) / 1_000_000,
                listener.address(), config.store().describe(), config.tls().describe());
        return gateway;
    }

    public InetSocketAddress address() {
        return listener.address();
    }

    public Store store() {
        return store;
    }

    /**
     * The SIGTERM path: stop accepting, let every connection get what it sent acknowledged, commit
     * whatever is still queued, close the database. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Logger.info("stopping: {} connections open", listener.connections());
        try {
            listener.close(config.shutdownTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (statsTimer != null) {
            statsTimer.shutdownNow();
        }
        store.close(config.shutdownTimeout());
        StoreStats s = store.stats();
        Logger.info("stopped: {} readings committed in {} transactions, {} duplicates ignored, {} failed batches",
                s.committedReadings() - s.duplicateReadings(), s.commits(), s.duplicateReadings(), s.failedBatches());
        stopped.countDown();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }
}
