package io.pigateway.gateway.store;

import io.pigateway.protocol.Reading;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The readings of one READINGS frame, validated by the connection that received them, on their way
 * to a writer. {@code receivedAt} is the gateway's clock when the frame arrived.
 */
public record ReadingBatch(String deviceId, long streamId, Instant receivedAt, List<Reading> readings) {
    public ReadingBatch {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(receivedAt, "receivedAt");
        readings = List.copyOf(readings);
        if (readings.isEmpty()) {
            throw new IllegalArgumentException("a batch holds at least one reading");
        }
    }

    public int size() {
        return readings.size();
    }
}
