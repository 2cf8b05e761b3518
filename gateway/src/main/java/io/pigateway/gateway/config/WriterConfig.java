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
 */
public record WriterConfig(int threads, int batchMaxReadings, Duration batchMaxWait, int queueCapacity,
                           Duration retryBackoffMax) {
    public WriterConfig {
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
