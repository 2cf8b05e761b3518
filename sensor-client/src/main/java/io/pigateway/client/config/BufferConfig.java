package io.pigateway.client.config;

/** @param maxReadings unacknowledged readings kept; beyond this the oldest is dropped (and counted) */
public record BufferConfig(int maxReadings) {
    public BufferConfig {
        if (maxReadings < 1) {
            throw new IllegalArgumentException("maxReadings must be >= 1, not " + maxReadings);
        }
    }
}
