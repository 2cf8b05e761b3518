package io.pigateway.client.spool;

import io.pigateway.protocol.Reading;
import java.util.List;

/**
 * Readings of one stream from sampling until the gateway acknowledges them. Sequence numbers rise
 * in append order (1, 2, 3 …; gaps are allowed). Implementations are thread-safe: sampler threads
 * append while the link thread peeks and acknowledges.
 *
 * <p>The client uses the durable {@link io.pigateway.client.spool.Spool}, which keeps the stream id
 * and the sequence numbers across restarts; tests also use one in memory.
 */
public interface ReadingSpool {

    /** Random, non-zero, fixed for the spool's life; with the device id it names the stream at the gateway. */
    long streamId();

    /**
     * Adds a reading with the next sequence number. If the spool is full, older unacknowledged
     * readings are dropped to make room, or (depending on the implementation's policy) this one is
     * not stored; either way it is counted in {@link Counts#dropped()}.
     *
     * @return the reading as stored, or {@code null} if it was not stored
     * @throws IllegalArgumentException if {@code value} is NaN or infinite
     */
    Reading append(String sensor, long timestampMillis, double value);

    /** Up to {@code max} readings with seq greater than {@code afterSeq}, oldest first; 0 means from the oldest. */
    List<Reading> peekUnsent(long afterSeq, int max);

    /** Forgets every reading with seq ≤ {@code upToSeq}; returns how many that were. */
    int ack(long upToSeq);

    /**
     * Forgets every reading with seq ≤ {@code upToSeq} as lost, not acknowledged: the gateway refused
     * them for good, so sending them again would fail again: its database refused them as data
     * ({@code STORE_REFUSED}), or it already holds different readings under those seqs
     * ({@code DUPLICATE_MISMATCH}: this spool was restored or cloned). Counted in
     * {@link Counts#dropped()} (in the spool also as lost, so {@code client.readings-dropped} reports
     * them); returns how many that were.
     */
    int discard(long upToSeq);

    /** Readings held, i.e. not yet acknowledged and not dropped. */
    int size();

    /** The counters, taken together: {@code appended + recovered = acknowledged + dropped + held}. */
    Counts counts();

    /**
     * @param appended     readings appended since start
     * @param acknowledged readings forgotten because an ACK covered them
     * @param dropped      readings lost unacknowledged: dropped because the spool was full, not stored, or
     *                     refused by the gateway
     * @param held         readings held now ({@link #size()})
     * @param recovered    readings held at start, left by an earlier run (0 for a spool in memory)
     */
    record Counts(long appended, long acknowledged, long dropped, long held, long recovered) {
    }
}
