package io.pigateway.client.link;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Wakes the sending thread when something it waits for may have happened (a new reading, an ACK, a
 * shutdown request). The generation counter closes the gap between checking and waiting: a signal
 * that arrives in between is not lost.
 */
final class Wakeup {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long generation;

    long generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    void signal() {
        lock.lock();
        try {
            generation++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a signal after {@code seen} or until {@code nanos} pass. */
    void await(long seen, long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (generation == seen && left > 0) {
                left = changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps {@code nanos} unless {@code stop} becomes true; re-checked on every signal. */
    void sleep(long nanos, BooleanSupplier stop) throws InterruptedException {
        long until = System.nanoTime() + nanos;
        while (!stop.getAsBoolean()) {
            long seen = generation();
            long left = until - System.nanoTime();
            if (left <= 0 || stop.getAsBoolean()) {
                return;
            }
            await(seen, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        }
    }
}
