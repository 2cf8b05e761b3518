package io.pigateway.client.config;

import java.time.Duration;

/**
 * How readings are grouped into READINGS frames.
 *
 * @param frameMaxReadings most readings in one frame (the gateway's HELLO_OK limit may lower it)
 * @param frameMaxWait     how long a partly filled frame waits for more readings before it is sent
 */
public record SendConfig(int frameMaxReadings, Duration frameMaxWait) {
    public SendConfig {
        if (frameMaxReadings < 1 || frameMaxReadings > 65535) {
            throw new IllegalArgumentException("frameMaxReadings must be 1..65535, not " + frameMaxReadings);
        }
        if (frameMaxWait.isNegative()) {
            throw new IllegalArgumentException("frameMaxWait must not be negative");
        }
    }
}
