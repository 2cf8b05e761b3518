package io.pigateway.client.link;

import java.util.ArrayDeque;

/**
 * The READINGS frames of one connection that were sent but not yet covered by an ACK, remembered by
 * their last seq. Bounding their number keeps one slow gateway from being handed the whole backlog.
 */
final class InFlight {
    private final ArrayDeque<Long> lastSeqs = new ArrayDeque<>();
    private long lastSent;

    synchronized void sent(long lastSeq) {
        lastSeqs.addLast(lastSeq);
        lastSent = lastSeq;
    }

    synchronized void acked(long upToSeq) {
        while (!lastSeqs.isEmpty() && lastSeqs.peekFirst() <= upToSeq) {
            lastSeqs.removeFirst();
        }
    }

    /** The last seq of the oldest frame not yet acknowledged, 0 if none. */
    synchronized long oldest() {
        return lastSeqs.isEmpty() ? 0 : lastSeqs.peekFirst();
    }

    synchronized int frames() {
        return lastSeqs.size();
    }

    /** The highest seq sent on this connection, 0 before the first frame. */
    synchronized long lastSent() {
        return lastSent;
    }
}
