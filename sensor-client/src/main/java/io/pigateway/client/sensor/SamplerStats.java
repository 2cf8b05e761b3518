package io.pigateway.client.sensor;

/**
 * @param sampled  valid samples handed to the sink
 * @param invalid  NaN or infinite samples, never sent
 * @param failed   reads that threw
 */
public record SamplerStats(long sampled, long invalid, long failed) {
}
