package io.pigateway.gateway.ingest;

import java.util.Objects;

/**
 * One value that arrived through an input other than the binary protocol (line protocol, MQTT, JSON),
 * before the gateway gives it a key in {@code readings}. How the key is chosen decides whether a
 * retried request can store the value twice; see {@link IngestKeys}.
 *
 * @param sensor     the sensor's name as stored in {@code readings.sensor}
 * @param value      a finite number
 * @param timeNanos  the device's time for the value in nanoseconds since 1970 (UTC), or {@link #NO_TIME}:
 *                   the gateway stamps the arrival time, and a retry can then be stored twice
 * @param stream     with {@code seq}: the reading's key given by the sender (JSON's exactly-once form); else 0
 * @param seq        the sender's sequence number in {@code stream} (at least 1), or 0 if it gave none
 * @param unit       the unit recorded in {@code sensors} when the sensor is first seen ("" if none)
 */
public record Sample(String sensor, double value, long timeNanos, long stream, long seq, String unit) {
    /** {@link #timeNanos()} when the sender gave no time. */
    public static final long NO_TIME = Long.MIN_VALUE;

    public Sample {
        Objects.requireNonNull(sensor, "sensor");
        unit = unit == null ? "" : unit;
    }

    /** A value with the device's time, or {@link #NO_TIME}. */
    public static Sample of(String sensor, double value, long timeNanos) {
        return new Sample(sensor, value, timeNanos, 0, 0, "");
    }

    public boolean hasTime() {
        return timeNanos != NO_TIME;
    }

    /** Whether the sender chose the key itself ({@code stream} + {@code seq}). */
    public boolean hasKey() {
        return seq != 0;
    }
}
