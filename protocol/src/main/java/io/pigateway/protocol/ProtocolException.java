package io.pigateway.protocol;

import java.io.IOException;

/** A peer sent something protocol v1 does not allow. {@link #nackCode()} is what to answer. */
public class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;
    private final NackCode nackCode;
    private final int retryAfterMillis;

    public ProtocolException(NackCode nackCode, String message) {
        this(nackCode, message, 0);
    }

    /** @param retryAfterMillis advice for the NACK, for a refusal that may succeed later; 0 = none */
    public ProtocolException(NackCode nackCode, String message, int retryAfterMillis) {
        super(message);
        this.nackCode = nackCode;
        this.retryAfterMillis = retryAfterMillis;
    }

    public NackCode nackCode() {
        return nackCode;
    }

    public int retryAfterMillis() {
        return retryAfterMillis;
    }
}
