package io.pigateway.client.spool;

/**
 * The spool directory cannot be used (a missing parent, not writable, in use by another client, or
 * unreadable files); start-up stops with this message, which names the path and the OS error.
 */
public final class SpoolUnusableException extends RuntimeException {
    SpoolUnusableException(String message, Throwable cause) {
        super(message, cause);
    }
}
