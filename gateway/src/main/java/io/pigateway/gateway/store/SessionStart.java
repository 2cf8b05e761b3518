package io.pigateway.gateway.store;

import io.pigateway.protocol.SensorInfo;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A device completed its handshake. Recorded in {@code devices} (first/last seen, address) and
 * {@code connections} (one row per connection, with the clock offset measured at HELLO).
 *
 * @param peerAddress       {@code address:port}, IPv6 in brackets ({@code [::1]:50026}), as the gateway logs it;
 *                          {@code connections.peer_address} keeps it whole, {@code devices.last_address}
 *                          the address alone
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

    /** The address without its port or brackets: {@code 192.0.2.7}, {@code ::1}; anything else as given. */
    public String peerHost() {
        int colon = peerAddress.lastIndexOf(':');
        if (peerAddress.startsWith("[") && colon > 0 && peerAddress.charAt(colon - 1) == ']') {
            return peerAddress.substring(1, colon - 1);
        }
        boolean ipv4WithPort = colon > 0 && peerAddress.indexOf(':') == colon;
        return ipv4WithPort ? peerAddress.substring(0, colon) : peerAddress;
    }
}
