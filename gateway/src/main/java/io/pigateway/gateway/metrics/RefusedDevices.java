package io.pigateway.gateway.metrics;

import io.pigateway.protocol.NackCode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Connections refused or ended by a NACK, by the device id their HELLO claimed: the status page shows
 * devices that connect but are refused (a wrong secret, a certificate for another device). Bounded,
 * since anyone who reaches the port may claim any id: past {@link #MAX} ids the one refused longest
 * ago is forgotten. Refusals are rare, so one lock is enough.
 */
public final class RefusedDevices {
    static final int MAX = 256;

    /** What the status page shows of one device's refusals. */
    public record Entry(String deviceId, String peer, long lastMillis, String lastReason, Map<String, Long> byReason) {
    }

    private static final class Counts {
        String peer;
        long lastMillis;
        NackCode last;
        final EnumMap<NackCode, Long> byReason = new EnumMap<>(NackCode.class);
    }

    private final LinkedHashMap<String, Counts> devices = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Counts> eldest) {
            return size() > MAX;
        }
    };

    synchronized void refused(String deviceId, String peer, NackCode reason, long nowMillis) {
        Counts c = devices.computeIfAbsent(deviceId, id -> new Counts());
        c.peer = peer;
        c.lastMillis = nowMillis;
        c.last = reason;
        c.byReason.merge(reason, 1L, Long::sum);
    }

    synchronized List<Entry> snapshot() {
        List<Entry> out = new ArrayList<>(devices.size());
        devices.forEach((id, c) -> {
            Map<String, Long> byReason = new LinkedHashMap<>();
            c.byReason.forEach((code, n) -> byReason.put(code.name().toLowerCase(Locale.ROOT), n));
            out.add(new Entry(id, c.peer, c.lastMillis, c.last.name().toLowerCase(Locale.ROOT), byReason));
        });
        return out;
    }
}
