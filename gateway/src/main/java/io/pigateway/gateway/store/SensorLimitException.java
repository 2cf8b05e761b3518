package io.pigateway.gateway.store;

/**
 * A handshake was not recorded because the device's sensors in the {@code sensors} table, with the
 * new ones its HELLO announces, would pass {@code limits.max-sensors-per-device}. The message names the
 * device and the numbers; nothing of the handshake was stored, the rest of its transaction was.
 */
public final class SensorLimitException extends StoreException {
    public SensorLimitException(String message) {
        super(message);
    }
}
