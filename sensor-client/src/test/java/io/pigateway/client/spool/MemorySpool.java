package io.pigateway.client.spool;

import io.pigateway.protocol.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The in-memory {@link ReadingSpool}: a ring of readings whose sequence numbers are contiguous from
 * the oldest held to the newest (removal only ever happens at the old end), so finding "after seq N"
 * is arithmetic, not a search. Lost when the process stops. For tests of the link and the gateway,
 * which need a spool without files.
 */
public final class MemorySpool implements ReadingSpool {
    private static final int INITIAL_SLOTS = 1024;

    private final long streamId;
    private final int capacity;
    private final DropWarning dropWarning;

    private Reading[] ring;
    private int head;      // index of the oldest reading held
    private int count;
    private long nextSeq = 1;
    private long appended;
    private long acknowledged;
    private long dropped;

    public MemorySpool(int capacity) {
        this(capacity, StreamIds.random(), System::nanoTime);
    }

    MemorySpool(int capacity, long streamId, LongSupplier nanoClock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, not " + capacity);
        }
        if (streamId == 0) {
            throw new IllegalArgumentException("stream id 0 is reserved");
        }
        this.capacity = capacity;
        this.streamId = streamId;
        this.dropWarning = new DropWarning(capacity, nanoClock);
        this.ring = new Reading[Math.min(capacity, INITIAL_SLOTS)];
    }

    @Override
    public long streamId() {
        return streamId;
    }

    public int capacity() {
        return capacity;
    }

    @Override
    public Reading append(String sensor, long timestampMillis, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("sensor " + sensor + ": value " + value + " cannot be sent");
        }
        Reading dropVictim = null;
        long droppedTotal;
        Reading r;
        synchronized (this) {
            if (count == capacity) {
                dropVictim = ring[head];
                removeOldest();
                dropped++;
            } else if (count == ring.length) {
                grow();
            }
            r = new Reading(nextSeq++, sensor, timestampMillis, value);
            ring[(head + count) % ring.length] = r;
            count++;
            appended++;
            droppedTotal = dropped;
        }
        if (dropVictim != null) {
            dropWarning.dropped(dropVictim, droppedTotal);
        }
        return r;
    }

    @Override
    public synchronized List<Reading> peekUnsent(long afterSeq, int max) {
        if (count == 0 || max <= 0) {
            return List.of();
        }
        long oldest = ring[head].seq();
        long skip = Math.max(0, afterSeq - oldest + 1);
        if (skip >= count) {
            return List.of();
        }
        int n = (int) Math.min(max, count - skip);
        List<Reading> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(ring[(int) ((head + skip + i) % ring.length)]);
        }
        return out;
    }

    @Override
    public synchronized int ack(long upToSeq) {
        int n = forget(upToSeq);
        acknowledged += n;
        return n;
    }

    @Override
    public synchronized int discard(long upToSeq) {
        int n = forget(upToSeq);
        dropped += n;
        return n;
    }

    /** Removes every reading with seq ≤ {@code upToSeq}; the caller counts them. */
    private int forget(long upToSeq) {
        int n = 0;
        while (count > 0 && ring[head].seq() <= upToSeq) {
            removeOldest();
            n++;
        }
        return n;
    }

    @Override
    public synchronized int size() {
        return count;
    }

    @Override
    public synchronized Counts counts() {
        return new Counts(appended, acknowledged, dropped, count, 0);
    }

    private void removeOldest() {
        ring[head] = null;
        head = (head + 1) % ring.length;
        count--;
    }

    /** Doubles the ring (up to the capacity), unrolling it so the oldest reading is at index 0. */
    private void grow() {
        Reading[] bigger = new Reading[(int) Math.min(capacity, 2L * ring.length)];
        for (int i = 0; i < count; i++) {
            bigger[i] = ring[(head + i) % ring.length];
        }
        ring = bigger;
        head = 0;
    }
}
