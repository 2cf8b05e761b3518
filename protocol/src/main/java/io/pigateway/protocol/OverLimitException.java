package io.pigateway.protocol;

/**
 * A peer announced more of something (payload bytes, sensors) than the receiver accepts. Refused from the
 * announced number alone, before anything was allocated or decoded for it.
 */
public abstract class OverLimitException extends ProtocolException {
    private static final long serialVersionUID = 1L;
    private final long announced;
    private final int max;

    OverLimitException(NackCode nackCode, String message, long announced, int max) {
        super(nackCode, message);
        this.announced = announced;
        this.max = max;
    }

    /** The number the peer announced. */
    public long announced() {
        return announced;
    }

    /** The most the receiver accepts. */
    public int max() {
        return max;
    }
}
