package io.pigateway.client.link;

/** A shutdown request: send what is left, wait for ACKs until the deadline, then say BYE. */
final class Drain {
    private volatile boolean requested;
    private volatile long deadlineNanos;

    void request(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
        this.requested = true;
    }

    boolean requested() {
        return requested;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    boolean expired(long nowNanos) {
        return requested && nowNanos - deadlineNanos >= 0;
    }
}
