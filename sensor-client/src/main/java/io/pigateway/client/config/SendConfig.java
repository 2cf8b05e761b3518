package io.pigateway.client.config;

import java.time.Duration;

/**
 * How readings are grouped into READINGS frames.
 *
 * @param batchMaxReadings most readings in one frame (the gateway's HELLO_OK limit may lower it)
 * @param batchMaxWait     how long a partly filled frame waits for more readings before it is sent
 */
public record SendConfig(int batchMaxReadings, Duration batchMaxWait) {
    public SendConfig {
        if (batchMaxReadings < 1 || batchMaxReadings > 65535) {
            throw new IllegalArgumentException("batchMaxReadings must be 1..65535, not " + batchMaxReadings);
        }
        if (batchMaxWait.isNegative()) {
            throw new IllegalArgumentException("batchMaxWait must not be negative");
        }
    }
}
