package io.pigateway.gateway.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which devices' {@code devices.last_seen} a transaction moves forward. Each device's row is updated
 * at most once per {@link #RESOLUTION}: with 1,000 devices each sending a frame every 200 ms, one
 * UPDATE per device per transaction was 5,000 row updates a second for a column a dashboard reads in
 * minutes. {@code last_seen} is therefore up to {@link #RESOLUTION} older than the device's latest
 * committed frame (docs/DASHBOARDS.md); a handshake always updates it. The times remembered here are
 * only a cache of what was written: after a restart, or on another gateway of a cluster, the first
 * frame of each device updates its row again, and the UPDATE keeps the later time. A time is
 * remembered when the UPDATE is made, before the commit: a transaction rolled back and tried again
 * skips that device, which can leave its row up to twice {@link #RESOLUTION} behind the device.
 */
final class LastSeen {
    static final Duration RESOLUTION = Duration.ofSeconds(1);
    /** Forget everything beyond this many devices, so that a stream of new device ids cannot grow the heap. */
    private static final int MAX_REMEMBERED = 100_000;

    private final Map<String, Long> written = new ConcurrentHashMap<>();

    /**
     * The devices of {@code batches} whose row is due, each with its latest frame's arrival, in device
     * order (the lock order); remembered as written from now on.
     */
    Map<String, Instant> due(List<ReadingBatch> batches) {
        Map<String, Instant> latest = new TreeMap<>();
        for (ReadingBatch b : batches) {
            latest.merge(b.deviceId(), b.receivedAt(), (x, y) -> x.isAfter(y) ? x : y);
        }
        if (written.size() > MAX_REMEMBERED) {
            written.clear();
        }
        latest.entrySet().removeIf(e -> {
            long at = e.getValue().toEpochMilli();
            Long before = written.get(e.getKey());
            if (before != null && at < before + RESOLUTION.toMillis()) {
                return true;
            }
            written.put(e.getKey(), at);
            return false;
        });
        return latest;
    }
}
