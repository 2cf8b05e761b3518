package io.pigateway.gateway.store;

import io.pigateway.protocol.SensorInfo;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A device completed its handshake. Recorded in {@code devices} (first/last seen, address) and
 * {@code connections} (one row per connection, with the clock offset measured at HELLO).
 *
 * @param clockOffsetMillis gateway clock minus device clock at HELLO; large when a Pi without an RTC
 *                          booted with a clock in the past
 * @param sensors           the sensors the device announced, recorded in {@code sensors}
 */
public record SessionStart(String deviceId, long streamId, String peerAddress, Instant connectedAt,
                           long deviceClockMillis, long clockOffsetMillis, List<SensorInfo> sensors) {
    public SessionStart {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(peerAddress, "peerAddress");
        Objects.requireNonNull(connectedAt, "connectedAt");
        sensors = sensors == null ? List.of() : List.copyOf(sensors);
    }
}
