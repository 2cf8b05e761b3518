package io.pigateway.gateway.store;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the readings accepted but not yet committed. A connection that would exceed the capacity
 * waits here, stops reading its socket, and TCP pushes back on the device, instead of the gateway
 * growing its heap while the database is slow.
 */
final class Admission {
    private final int capacity;
    // Fair, so a large frame is not overtaken forever by small ones.
    private final Semaphore permits;
    private final AtomicInteger depth = new AtomicInteger();

    Admission(int capacity) {
        this.capacity = capacity;
        this.permits = new Semaphore(capacity, true);
    }

    /** A frame larger than the whole capacity takes all of it rather than waiting forever. */
    int permitsFor(ReadingBatch batch) {
        return Math.min(batch.size(), capacity);
    }

    /** False if the permits did not become free within the timeout. */
    boolean tryAcquire(ReadingBatch batch, Duration timeout) throws InterruptedException {
        if (!permits.tryAcquire(permitsFor(batch), timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        depth.addAndGet(batch.size());
        return true;
    }

    void release(Job.Readings job) {
        depth.addAndGet(-job.batch().size());
        permits.release(job.permits());
    }

    int depth() {
        return depth.get();
    }

    int capacity() {
        return capacity;
    }
}
