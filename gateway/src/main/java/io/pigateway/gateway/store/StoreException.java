package io.pigateway.gateway.store;

/**
 * The store could not do what was asked: start (database unreachable, schema wrong), accept a batch
 * (queue full, store closed) or commit one. The message names the store, never the password.
 */
public class StoreException extends Exception {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
