package io.pigateway.client.sensor.gpio;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A clock and a timer that only move when the test says so. */
final class ManualTimer implements Debouncer.Timer {
    private record Task(long dueNanos, Runnable task) {
    }

    private final List<Task> tasks = new ArrayList<>();
    long nanos;
    long millis = 1_700_000_000_000L;

    @Override
    public synchronized void schedule(Runnable task, long delayNanos) {
        tasks.add(new Task(nanos + delayNanos, task));
    }

    /** Moves both clocks on and runs what falls due, in order. */
    void advanceMillis(long ms) {
        long target = nanos + ms * 1_000_000;
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> t.dueNanos() <= target).min(Comparator.comparingLong(Task::dueNanos))
                        .orElse(null);
                if (next == null) {
                    break;
                }
                tasks.remove(next);
                millis += (next.dueNanos() - nanos) / 1_000_000;
                nanos = next.dueNanos();
            }
            next.task().run();
        }
        millis += (target - nanos) / 1_000_000;
        nanos = target;
    }

    synchronized int pending() {
        return tasks.size();
    }
}
