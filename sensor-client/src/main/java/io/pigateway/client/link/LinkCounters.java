package io.pigateway.client.link;

import java.util.concurrent.atomic.AtomicLong;

/** The link's counters, written by its threads and read by anyone. */
final class LinkCounters {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong handshakes = new AtomicLong();
    final AtomicLong failedAttempts = new AtomicLong();
    final AtomicLong refusals = new AtomicLong();
    volatile boolean connected;
    volatile String gateway;
    volatile String lastProblem;
    volatile boolean byeSent;
    /** System.nanoTime() when the link's thread last went round one of its loops: read by the watchdog. */
    volatile long progressNanos = System.nanoTime();

    void progressed() {
        progressNanos = System.nanoTime();
    }

    LinkStats snapshot() {
        return new LinkStats(sent.get(), handshakes.get(), failedAttempts.get(), refusals.get(), connected, gateway,
                lastProblem, byeSent);
    }
}
