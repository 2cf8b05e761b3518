package io.pigateway.protocol;

import java.util.Objects;

/**
 * One sample: its sequence number in the device's stream, the sensor's name, the device's clock
 * when it was taken (epoch milliseconds) and the value.
 */
public record Reading(long seq, String sensor, long timestampMillis, double value) {
    public Reading {
        Objects.requireNonNull(sensor, "sensor");
        Payloads.checkStringLength("sensor name", sensor);
    }
}
