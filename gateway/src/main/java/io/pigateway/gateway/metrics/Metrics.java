package io.pigateway.gateway.metrics;

import io.pigateway.protocol.NackCode;

/**
 * What the listener, the connections and the writers report as it happens. Calls come from many
 * connection threads and the writer threads at once, so implementations are thread-safe and cheap:
 * they are made per frame or per transaction, never per reading. {@link #NONE} ignores everything
 * (the HTTP endpoint is off), so {@code net} and {@code store} never see a metrics library.
 */
public interface Metrics {
    /** Does nothing: used when the HTTP endpoint is disabled, and by tests of single parts. */
    Metrics NONE = new Metrics() {
    };

    /** A TCP connection was accepted (before its handshake, and before any limit is checked). */
    default void connectionAccepted() {
    }

    /**
     * A NACK was sent with {@code reason}; {@code duringHandshake} if the connection never got its
     * HELLO_OK, i.e. the handshake was refused.
     */
    default void nackSent(NackCode reason, boolean duringHandshake) {
    }

    /** A HELLO was answered with HELLO_OK, or a PING arrived: the device is alive. */
    default void deviceSeen(String deviceId) {
    }

    /** One READINGS frame of {@code readings} readings arrived from the device (before it is checked). */
    default void readingsReceived(String deviceId, int readings) {
    }

    /** A READINGS frame of {@code readings} readings was refused with {@code reason} before it was queued. */
    default void readingsRejected(NackCode reason, int readings) {
    }

    /**
     * One transaction committed {@code batches} frames holding {@code readings} readings, of which
     * {@code inserted} were new (the rest were duplicates), in {@code nanos} from its first statement
     * to the end of its COMMIT.
     */
    default void transactionCommitted(int batches, int readings, int inserted, long nanos) {
    }

    /**
     * A frame of {@code readings} readings of the device was committed (once per frame, after
     * {@link #transactionCommitted}).
     */
    default void deviceCommitted(String deviceId, int readings) {
    }

    /** A frame's ACK was written, {@code nanos} after the frame had been read (once per frame). */
    default void frameAcknowledged(long nanos) {
    }

    /** The device completed a handshake from {@code peer} ("address:port") with this stream id. */
    default void deviceConnected(String deviceId, String peer, long streamId) {
    }

    /** A connection of the device that had completed its handshake closed. */
    default void deviceDisconnected(String deviceId) {
    }

    /**
     * A connection was refused or ended with {@code reason}: {@code deviceId} is the id its HELLO
     * claimed ({@code null} if it never sent a well-formed one), not necessarily a proven one.
     */
    default void deviceRefused(String deviceId, String peer, NackCode reason) {
    }

    /** One transaction of {@code batches} frames holding {@code readings} readings failed; none was acknowledged. */
    default void transactionFailed(int batches, int readings) {
    }

    /**
     * A transaction hit a deadlock or a lock wait timeout ({@code cause}: "deadlock" or
     * "lock_wait_timeout") and is tried again.
     */
    default void transactionRetried(String cause) {
    }

    /** The database refused a frame of {@code readings} readings as data; the frame alone was refused. */
    default void batchRefusedByDatabase(int readings) {
    }

    /**
     * A frame of the device was not stored: {@code readings} of its readings differ from those stored
     * under the same (stream, seq) (a restored or cloned client); the frame gets DUPLICATE_MISMATCH.
     */
    default void duplicateMismatch(String deviceId, int readings) {
    }

    /** The device's connections from two addresses keep replacing each other: probably two clients with one id. */
    default void probableClone(String deviceId) {
    }

    /**
     * {@code readings} readings that came through {@code input} (e.g. "http-line-protocol", "mqtt") ended
     * with {@code outcome}: "stored", or the refusal's reason in lower case ("invalid", "rate_limited", ...).
     */
    default void ingested(String input, String outcome, int readings) {
    }

    /**
     * {@code lines} lines of line protocol over a socket without answers ({@code input} "line-tcp" or
     * "line-udp"): "received", then each one "stored", "refused" (its content or source) or "dropped"
     * (the gateway could not take it: store unavailable, queue full, rate limit on UDP, shutdown).
     */
    default void ingestLines(String input, String outcome, int lines) {
    }
}
