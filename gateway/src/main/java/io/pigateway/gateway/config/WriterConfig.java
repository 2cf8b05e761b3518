package io.pigateway.gateway.config;

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
    public static final int DEFAULT_CONFLICT_RETRIES = 3;
    public static final Duration DEFAULT_CONFLICT_RETRY_PAUSE = Duration.ofMillis(50);

    public WriterConfig(int threads, int batchMaxReadings, Duration batchMaxWait, int queueCapacity,
                        Duration retryBackoffMax) {
        this(threads, batchMaxReadings, batchMaxWait, queueCapacity, retryBackoffMax, DEFAULT_CONFLICT_RETRIES,
                DEFAULT_CONFLICT_RETRY_PAUSE);
    }

    public WriterConfig {
        if (conflictRetries < 0) {
            throw new IllegalArgumentException("conflictRetries must be >= 0, not " + conflictRetries);
        }
        if (conflictRetryPause.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("threads must be 1..64, not " + threads);
        }
        if (batchMaxReadings < 1) {
            throw new IllegalArgumentException("batchMaxReadings must be >= 1, not " + batchMaxReadings);
        }
        if (queueCapacity < batchMaxReadings) {
            throw new IllegalArgumentException("queueCapacity " + queueCapacity
                    + " must be at least batchMaxReadings " + batchMaxReadings);
        }
        if (batchMaxWait.isNegative() || retryBackoffMax.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    public static WriterConfig defaults() {
        return new WriterConfig(2, 1000, Duration.ZERO, 100_000, Duration.ofSeconds(30));
    }
}
