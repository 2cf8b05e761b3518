package io.pigateway.client.link;

import java.io.IOException;

/** The TLS handshake with the gateway failed; the message says why in an operator's words. */
final class TlsHandshakeException extends IOException {
    private static final long serialVersionUID = 1L;

    TlsHandshakeException(String message, Throwable cause) {
        super(message, cause);
    }
}
