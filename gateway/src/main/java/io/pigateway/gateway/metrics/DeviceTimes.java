package io.pigateway.gateway.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * When each device was last seen and last had a frame committed, for per-device gauges. The number
 * of devices is capped so that a misbehaving fleet (or clients inventing device ids) cannot grow the
 * gateway's memory or the Prometheus series without bound: past the cap, devices are not tracked and
 * each event for them is counted instead. A tracked device stays until the gateway restarts.
 */
final class DeviceTimes {
    /** Times in epoch milliseconds; 0 = never. */
    static final class Times {
        private static final AtomicLongFieldUpdater<Times> COMMITTED_READINGS =
                AtomicLongFieldUpdater.newUpdater(Times.class, "committedReadings");

        volatile long seenMillis;
        volatile long committedMillis;
        /** Readings committed since start-up (duplicates included): the status page's rates. */
        volatile long committedReadings;
        /** Of the last handshake: "address:port" and the stream id; null and 0 before one. */
        volatile String peer;
        volatile long streamId;
        /** Connections past their handshake: more than one for a moment when a device reconnects. */
        final AtomicInteger connections = new AtomicInteger();
    }

    private final int max;
    private final ConcurrentHashMap<String, Times> devices = new ConcurrentHashMap<>();
    private final LongAdder untracked = new LongAdder();

    DeviceTimes(int max) {
        this.max = max;
    }

    void seen(String deviceId, long nowMillis) {
        Times t = times(deviceId);
        if (t != null) {
            t.seenMillis = nowMillis;
        }
    }

    void committed(String deviceId, int readings, long nowMillis) {
        Times t = times(deviceId);
        if (t != null) {
            t.committedMillis = nowMillis;
            Times.COMMITTED_READINGS.addAndGet(t, readings);
        }
    }

    void connected(String deviceId, String peer, long streamId, long nowMillis) {
        Times t = times(deviceId);
        if (t != null) {
            t.peer = peer;
            t.streamId = streamId;
            t.seenMillis = nowMillis;
            t.connections.incrementAndGet();
        }
    }

    void disconnected(String deviceId) {
        Times t = devices.get(deviceId);
        if (t != null) {
            t.connections.decrementAndGet();
        }
    }

    /** Each tracked device with its times, in no particular order. */
    void forEach(BiConsumer<String, Times> action) {
        devices.forEach(action);
    }

    int size() {
        return devices.size();
    }

    /** Events for devices that found the table full. */
    long untracked() {
        return untracked.sum();
    }

    private Times times(String deviceId) {
        Times t = devices.get(deviceId); // the hot path: a known device, no lock
        if (t != null) {
            return t;
        }
        synchronized (this) { // a new device: rare, and the cap must hold exactly
            t = devices.get(deviceId);
            if (t == null && devices.size() < max) {
                t = new Times();
                devices.put(deviceId, t);
            }
        }
        if (t == null) {
            untracked.increment();
        }
        return t;
    }
}
