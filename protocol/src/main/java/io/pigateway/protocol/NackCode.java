package io.pigateway.protocol;

/**
 * Why the gateway refused something. The numeric code travels in a NACK frame; the human-readable
 * reason travels beside it. {@link #retryable()} says whether the same data may succeed later (the
 * client keeps it and tries again) or whether it was refused for what it is.
 */
public enum NackCode {
    /** Bad magic, bad CRC, or a payload whose structure does not add up. */
    MALFORMED_FRAME(1, false),
    /** The length field exceeds the receiver's maximum frame size. */
    FRAME_TOO_LARGE(2, false),
    /** A frame type this protocol version does not define. */
    UNKNOWN_FRAME_TYPE(3, false),
    /** A frame or HELLO version the receiver does not speak. */
    UNSUPPORTED_VERSION(4, false),
    /** Anything but HELLO as the first frame. */
    HANDSHAKE_REQUIRED(5, false),
    /** HELLO with an invalid device id, stream id or credentials. */
    HELLO_REFUSED(6, false),
    /** A reading with a NaN or infinite value, or an invalid sensor name. */
    INVALID_READING(7, false),
    /** Sequence numbers not strictly increasing within a connection, or not positive. */
    SEQUENCE_ERROR(8, false),
    /** A frame that is valid but not expected now (a second HELLO, an ACK sent by a client). */
    UNEXPECTED_FRAME(9, false),
    /** The store could not commit; nothing in the refused frames was acknowledged. Retry later. */
    STORE_UNAVAILABLE(10, true),
    /** The gateway is stopping. Retry later, perhaps at another gateway. */
    SHUTTING_DOWN(11, true),
    /** Another connection for the same device id took over this one. */
    REPLACED(12, true),
    /** The gateway is at its connection limit. Retry later. */
    TOO_MANY_CONNECTIONS(13, true),
    /** No complete HELLO within the gateway's handshake timeout (a silent or trickling client). */
    TIMEOUT(14, true),
    /** A READINGS frame with more readings than the gateway accepts in one frame. */
    TOO_MANY_READINGS(15, false),
    /** HELLO from an unknown device, with a wrong proof of its secret, or without one where one is required. */
    AUTHENTICATION_FAILED(16, false),
    /** HELLO whose device id is not the one the client's TLS certificate was issued to. */
    CERTIFICATE_MISMATCH(17, false),
    /** The gateway is at its limit of connections from this client's source address. Retry later. */
    TOO_MANY_CONNECTIONS_FROM_ADDRESS(18, true),
    /**
     * The device sends readings faster than the gateway's per-device rate limit. Retry after the delay
     * given. Not sent by this gateway any more (it slows such a device by reading its socket more
     * slowly); the number keeps its meaning for clients.
     */
    RATE_LIMITED(19, true),
    /** After the handshake, no complete frame within the gateway's idle timeout (clients PING when idle). */
    IDLE_TIMEOUT(20, true),
    /**
     * A READINGS frame holds a (stream, seq) the gateway already stored with a different sensor, value
     * or device time: a restored or cloned client reusing seqs. Nothing of the frame is stored; the
     * client must drop (and count) the frame's readings, not resend them.
     */
    DUPLICATE_MISMATCH(21, false),
    /** New connections from the client's source address (or IPv6 prefix) arrive faster than the gateway allows. Retry after the delay given. */
    /**
     * A HELLO announcing more sensors than the gateway accepts in one HELLO (limits.max-sensors), or
     * whose new sensors would give the device more than it stores for one device
     * (limits.max-sensors-per-device).
     */
    TOO_MANY_SENSORS(22, false),
    /**
     * The gateway is at its memory budget for connections (what they hold, in total): it refuses new
     * connections and grows no frame buffer beyond it, instead of running out of heap. Retry later.
     */
    OVERLOADED(23, true),
    /** New connections from the client's source address (or IPv6 prefix) arrive faster than the gateway allows. Retry after the delay given. */
    CONNECTING_TOO_FAST(25, true),
    /**
     * The gateway holds its maximum of connections still in their handshake, and this one, having
     * waited longest, was closed to make room for a newer one. Retry after the delay given.
     */
    TOO_MANY_HANDSHAKES(26, true),
    /**
     * The database refused the data of the first frame not yet acknowledged (a value out of range, a
     * constraint or trigger): sending it again would fail again. Frames before it were acknowledged;
     * the client drops this frame's readings, counted and logged as lost, and sends the rest.
     */
    STORE_REFUSED(27, false);

    private final int code;
    private final boolean retryable;

    NackCode(int code, boolean retryable) {
        this.code = code;
        this.retryable = retryable;
    }

    public int code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The code for a wire number, or {@code null} for a number this version does not know. */
    public static NackCode ofCode(int code) {
        for (NackCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
