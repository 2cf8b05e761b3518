package io.pigateway.client.sensor;

/** Where the sampler puts each valid sample. Called from sampler threads, concurrently. */
@FunctionalInterface
public interface ReadingSink {
    void accept(String sensor, long timestampMillis, double value);
}
