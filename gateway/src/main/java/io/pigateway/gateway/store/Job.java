package io.pigateway.gateway.store;

import java.util.concurrent.CompletableFuture;

/** Work waiting for a writer. Every job's future is completed exactly once, whatever happens. */
sealed interface Job {
    /**
     * A frame's readings; {@code permits} were taken from the queue's capacity and go back after its
     * transaction; {@code queuedAt} is {@link System#nanoTime()} when it was queued (for tracing).
     */
    record Readings(ReadingBatch batch, int permits, CompletableFuture<Void> done, long queuedAt) implements Job {
        Readings(ReadingBatch batch, int permits, CompletableFuture<Void> done) {
            this(batch, permits, done, System.nanoTime());
        }
    }

    /**
     * A handshake to record in {@code devices}, {@code connections} and {@code sensors}, unless the
     * device would then have more than {@code maxSensors} sensors stored.
     */
    record Session(SessionStart session, int maxSensors, CompletableFuture<Void> done) implements Job {
    }

    /** Queued once per writer by close(), behind everything accepted before: the writer commits up to it, then ends. */
    record Stop() implements Job {
    }

    Stop STOP = new Stop();
}
