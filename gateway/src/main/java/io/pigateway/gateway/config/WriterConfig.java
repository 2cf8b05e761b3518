package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.time.Duration;

/**
 * How readings flow from connections to the database.
 *
 * @param threads             writer threads, each with its own JDBC connection
 * @param batchMaxReadings    a transaction holds at most this many readings
 * @param batchMaxWait        a writer waits at most this long for more frames once it holds one; 0 (the default):
 *                            it commits what is queued as soon as it is free, and frames arriving meanwhile
 *                            form the next group
 * @param queueCapacity       readings accepted but not yet committed, across all connections; a connection
 *                            that would exceed it waits (TCP back-pressure) instead of growing memory
 * @param retryBackoffMax     the longest pause between attempts to reach a database that failed
 * @param conflictRetries     how often a transaction that hit a deadlock or lock wait timeout is tried again
 *                            before its frames are refused (retryable); 0: not at all
 * @param conflictRetryPause  the pause before the first such retry; it doubles with each one, plus up to half
 *                            again at random so that the two sides of a deadlock do not collide again
 */
public record WriterConfig(int threads, int batchMaxReadings, Duration batchMaxWait, int queueCapacity,
                           Duration retryBackoffMax, int conflictRetries, Duration conflictRetryPause) {
    private static final String TRANSACTION_RENAME = "a writer commits a transaction of whole frames; a batch was ambiguous";
    public static final int DEFAULT_THREADS = 2;
    public static final int MAX_THREADS = 64;
    public static final int DEFAULT_BATCH_MAX_READINGS = 1000;
    public static final int MAX_BATCH_MAX_READINGS = 100_000;
    public static final int DEFAULT_QUEUE_CAPACITY = 100_000;
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(30);
    public static final int DEFAULT_CONFLICT_RETRIES = 3;
    public static final Duration DEFAULT_CONFLICT_RETRY_PAUSE = Duration.ofMillis(50);

    public WriterConfig(int threads, int batchMaxReadings, Duration batchMaxWait, int queueCapacity,
                        Duration retryBackoffMax) {
        this(threads, batchMaxReadings, batchMaxWait, queueCapacity, retryBackoffMax, DEFAULT_CONFLICT_RETRIES,
                DEFAULT_CONFLICT_RETRY_PAUSE);
    }

    public WriterConfig {
        if (conflictRetries < 0) {
            throw new IllegalArgumentException("writer.conflict-retries must be >= 0, not " + conflictRetries);
        }
        if (conflictRetryPause.isNegative()) {
            throw new IllegalArgumentException("writer.conflict-retry-pause must not be negative");
        }
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("writer.threads must be 1.." + MAX_THREADS + ", not " + threads);
        }
        if (batchMaxReadings < 1) {
            throw new IllegalArgumentException("writer.transaction-max-readings must be >= 1, not " + batchMaxReadings);
        }
        if (queueCapacity < batchMaxReadings) {
            throw new IllegalArgumentException("writer.queue-capacity " + queueCapacity
                    + " must be at least writer.transaction-max-readings " + batchMaxReadings);
        }
        if (batchMaxWait.isNegative() || retryBackoffMax.isNegative()) {
            throw new IllegalArgumentException("writer.transaction-max-wait and writer.retry-backoff-max must not be negative");
        }
    }

    public static WriterConfig defaults() {
        return new WriterConfig(DEFAULT_THREADS, DEFAULT_BATCH_MAX_READINGS, Duration.ZERO, DEFAULT_QUEUE_CAPACITY,
                DEFAULT_RETRY_BACKOFF_MAX);
    }

    /** The {@code writer.*} keys. */
    public static WriterConfig from(Settings s) throws ConfigException {
        String maxReadingsKey = s.renamed("writer.batch-max-readings", "writer.transaction-max-readings", TRANSACTION_RENAME);
        int batch = s.intIn(maxReadingsKey, DEFAULT_BATCH_MAX_READINGS, 1, MAX_BATCH_MAX_READINGS);
        int queue = s.intIn("writer.queue-capacity", DEFAULT_QUEUE_CAPACITY, 1, 10_000_000);
        if (queue < batch) {
            throw s.invalid("writer.queue-capacity", Integer.toString(queue),
                    "must be at least " + maxReadingsKey + " (" + batch + ")");
        }
        return new WriterConfig(
                s.intIn("writer.threads", DEFAULT_THREADS, 1, MAX_THREADS),
                batch,
                s.duration(s.renamed("writer.batch-max-wait", "writer.transaction-max-wait", TRANSACTION_RENAME), Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10)),
                queue,
                s.duration("writer.retry-backoff-max", DEFAULT_RETRY_BACKOFF_MAX, Duration.ofMillis(100), Duration.ofMinutes(10)),
                s.intIn("writer.conflict-retries", DEFAULT_CONFLICT_RETRIES, 0, 100),
                s.duration("writer.conflict-retry-pause", DEFAULT_CONFLICT_RETRY_PAUSE, Duration.ZERO,
                        Duration.ofSeconds(10)));
    }
}
