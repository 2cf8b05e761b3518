package io.pigateway.gateway.net;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open connections, and which one speaks for each device. A device that connects again (after a
 * network change, or a restart the gateway has not noticed yet) replaces its older connection.
 */
final class ConnectionRegistry {
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Connection> byDevice = new ConcurrentHashMap<>();

    void opened(Connection c) {
        open.add(c);
    }

    /** Makes {@code c} the device's connection; returns the one it replaces, or {@code null}. */
    Connection claim(String deviceId, Connection c) {
        return byDevice.put(deviceId, c);
    }

    void closed(Connection c) {
        open.remove(c);
        if (c.deviceId() != null) {
            byDevice.remove(c.deviceId(), c);
        }
    }

    List<Connection> snapshot() {
        return List.copyOf(open);
    }

    int size() {
        return open.size();
    }

    int devices() {
        return byDevice.size();
    }
}
