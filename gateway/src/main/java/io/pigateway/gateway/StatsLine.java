package io.pigateway.gateway;

import io.pigateway.gateway.net.Listener;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.store.StoreStats;
import org.tinylog.Logger;

/** The periodic one-line summary: what arrived since the last line, and how full the queue is. */
final class StatsLine {
    private final Store store;
    private final Listener listener;
    private final int queueCapacity;
    private long lastCommitted;
    private long lastNanos = System.nanoTime();

    StatsLine(Store store, Listener listener, int queueCapacity) {
        this.store = store;
        this.listener = listener;
        this.queueCapacity = queueCapacity;
    }

    void log() {
        StoreStats s = store.stats();
        long now = System.nanoTime();
        long delta = s.committedReadings() - lastCommitted;
        double seconds = (now - lastNanos) / 1e9;
        lastCommitted = s.committedReadings();
        lastNanos = now;
        Logger.info("{} devices on {} connections; {} readings committed (+{}, {}/s); queue {}/{}; store {}",
                listener.devices(), listener.connections(), s.committedReadings(), delta,
                String.format("%.1f", delta / seconds), store.queueDepth(), queueCapacity,
                store.healthy() ? "up" : "DOWN");
    }
}
