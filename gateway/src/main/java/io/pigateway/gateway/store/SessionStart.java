package io.pigateway.gateway.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A device completed its handshake. Recorded in {@code devices} (first/last seen, address) and
 * {@code connections} (one row per connection, with the clock offset measured at HELLO).
 *
 * @param clockOffsetMillis gateway clock minus device clock at HELLO; large when a Pi without an RTC
 *                          booted with a clock in the past
 */
public record SessionStart(String deviceId, long streamId, String peerAddress, Instant connectedAt,
                           long deviceClockMillis, long clockOffsetMillis) {
    public SessionStart {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(peerAddress, "peerAddress");
        Objects.requireNonNull(connectedAt, "connectedAt");
    }
}
