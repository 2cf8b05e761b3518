package io.pigateway.client.buffer;

import io.pigateway.protocol.Reading;
import java.util.List;

/**
 * Readings of one stream from sampling until the gateway acknowledges them. Sequence numbers are
 * 1, 2, 3 … in append order. Implementations are thread-safe: sampler threads append while the link
 * thread peeks and acknowledges.
 *
 * <p>Today's implementation is {@link MemoryReadingBuffer}; a durable spool will implement the same
 * interface and keep the stream id and the next sequence number across restarts.
 */
public interface ReadingBuffer {

    /** Random, non-zero, fixed for the buffer's life; with the device id it names the stream at the gateway. */
    long streamId();

    /**
     * Adds a reading with the next sequence number. If the buffer is full the oldest unacknowledged
     * reading is dropped to make room, and counted in {@link Counts#dropped()}.
     *
     * @throws IllegalArgumentException if {@code value} is NaN or infinite
     */
    Reading append(String sensor, long timestampMillis, double value);

    /** Up to {@code max} readings with seq greater than {@code afterSeq}, oldest first; 0 means from the oldest. */
    List<Reading> peekUnsent(long afterSeq, int max);

    /** Forgets every reading with seq ≤ {@code upToSeq}; returns how many that were. */
    int ack(long upToSeq);

    /** Readings held, i.e. not yet acknowledged and not dropped. */
    int size();

    /** The counters, taken together: {@code appended = acknowledged + dropped + held}. */
    Counts counts();

    /**
     * @param appended     readings appended since start
     * @param acknowledged readings forgotten because an ACK covered them
     * @param dropped      readings dropped unacknowledged because the buffer was full
     * @param held         readings held now ({@link #size()})
     */
    record Counts(long appended, long acknowledged, long dropped, long held) {
    }
}
