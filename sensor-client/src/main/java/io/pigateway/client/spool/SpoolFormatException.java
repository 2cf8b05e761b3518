package io.pigateway.client.spool;

import java.io.IOException;

/** A spool file's header or meta slot is not what this client writes; the message has the numbers. */
final class SpoolFormatException extends IOException {
    SpoolFormatException(String message) {
        super(message);
    }
}
