package io.pigateway.gateway.net;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open connections, and which one speaks for each device. A device that connects again (after a
 * network change, or a restart the gateway has not noticed yet) replaces its older connection.
 */
final class ConnectionRegistry {
    private final Set<DeviceConnection> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, DeviceConnection> byDevice = new ConcurrentHashMap<>();
    /** Replacements that count towards a probable clone. */
    static final int CLONE_REPLACEMENTS = 3;
    static final long CLONE_WINDOW_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    /** Per device that was ever replaced: when, within the window (a few entries each). */
    private final ConcurrentHashMap<String, java.util.ArrayDeque<Long>> replacements = new ConcurrentHashMap<>();

    void opened(DeviceConnection c) {
        open.add(c);
    }

    /** Makes {@code c} the device's connection; returns the one it replaces, or {@code null}. */
    DeviceConnection claim(String deviceId, DeviceConnection c) {
        return byDevice.put(deviceId, c);
    }

    /**
     * Notes that a connection of {@code deviceId} replaced another; true when this is the
     * {@value #CLONE_REPLACEMENTS}th within {@link #CLONE_WINDOW_NANOS} (then the count starts again,
     * so a pair of clones is reported about once a window, not on every replacement). A device that
     * merely reconnected replaces a dead connection once; clients that keep taking turns are two
     * clients with one device id.
     */
    boolean replacedRepeatedly(String deviceId, long nowNanos) {
        boolean[] repeated = {false};
        replacements.compute(deviceId, (id, times) -> {
            java.util.ArrayDeque<Long> t = times == null ? new java.util.ArrayDeque<>() : times;
            while (!t.isEmpty() && nowNanos - t.peekFirst() > CLONE_WINDOW_NANOS) {
                t.removeFirst();
            }
            t.addLast(nowNanos);
            if (t.size() >= CLONE_REPLACEMENTS) {
                t.clear();
                repeated[0] = true;
            }
            return t;
        });
        return repeated[0];
    }

    void closed(DeviceConnection c) {
        open.remove(c);
        if (c.deviceId() != null) {
            byDevice.remove(c.deviceId(), c);
        }
    }

    List<DeviceConnection> snapshot() {
        return List.copyOf(open);
    }

    int size() {
        return open.size();
    }

    int devices() {
        return byDevice.size();
    }
}
