package io.pigateway.client.link;

import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;

/** The gateway answered the HELLO with a NACK. */
final class GatewayRefusedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Message.Nack nack;

    GatewayRefusedException(Message.Nack nack) {
        super(Texts.nack(nack));
        this.nack = nack;
    }

    Message.Nack nack() {
        return nack;
    }

    /** Unknown codes (a newer gateway) are treated as refusals: better slow than hammering. */
    boolean retryable() {
        NackCode c = nack.nackCode();
        return c != null && c.retryable();
    }
}
