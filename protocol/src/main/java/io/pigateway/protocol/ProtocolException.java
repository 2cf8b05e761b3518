package io.pigateway.protocol;

import java.io.IOException;

/** A peer sent something protocol v1 does not allow. {@link #nackCode()} is what to answer. */
public class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;
    private final NackCode nackCode;

    public ProtocolException(NackCode nackCode, String message) {
        super(message);
        this.nackCode = nackCode;
    }

    public NackCode nackCode() {
        return nackCode;
    }
}
