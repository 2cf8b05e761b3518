package io.pigateway.gateway.store;

/**
 * The database refused a frame's readings as data (a value out of range, a constraint or trigger
 * that rejects them): committing them again would fail again, so the frame is refused on its own,
 * not retried, while the rest of its transaction was committed without it. The message names the
 * device, stream, seq range and the SQL error code, state and message.
 */
public final class StoreRefusedException extends StoreException {
    public StoreRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
