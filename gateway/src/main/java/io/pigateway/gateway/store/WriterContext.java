package io.pigateway.gateway.store;

import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.metrics.Metrics;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;

/**
 * What every writer of one store shares: the queue it takes jobs from, its settings, where it gets
 * connections, the admission it gives permits back to, the store's outage state and counters, the
 * metrics, the latch that tells it the store is closing, and which devices' {@code last_seen} is due.
 */
record WriterContext(BlockingQueue<Job> queue, WriterConfig config, ConnectionSource source, Admission admission,
                     Outage outage, Counters counters, Metrics metrics, CountDownLatch closing,
                     LastSeen lastSeen) {
}
