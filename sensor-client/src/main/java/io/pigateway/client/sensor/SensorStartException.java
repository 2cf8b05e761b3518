package io.pigateway.client.sensor;

/**
 * A configured sensor could not be opened: a missing or inaccessible device file, no chip at the
 * address, a wrong chip id. The client does not start, and never falls back to a simulation.
 */
public final class SensorStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SensorStartException(String message) {
        super(message);
    }

    public SensorStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
