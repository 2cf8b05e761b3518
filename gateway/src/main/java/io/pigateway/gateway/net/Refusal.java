package io.pigateway.gateway.net;

import io.pigateway.protocol.NackCode;

/**
 * The gateway refuses what a client did: the NACK it gets ({@code code}, {@code reason},
 * {@code retryAfterMillis}) and the operator's line ({@link #getMessage()}), which may say more than
 * the client is told (which device id was unknown, which check failed).
 */
final class Refusal extends Exception {
    private final NackCode code;
    private final String reason;
    private final int retryAfterMillis;

    Refusal(NackCode code, String reason, String detail, int retryAfterMillis) {
        super(detail, null, false, false);
        this.code = code;
        this.reason = reason;
        this.retryAfterMillis = retryAfterMillis;
    }

    NackCode code() {
        return code;
    }

    String reason() {
        return reason;
    }

    int retryAfterMillis() {
        return retryAfterMillis;
    }
}
