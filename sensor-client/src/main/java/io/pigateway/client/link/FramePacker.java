package io.pigateway.client.link;

import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Reading;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Cuts a run of readings to what one READINGS frame may carry under the gateway's payload limit. */
final class FramePacker {
    private FramePacker() {
    }

    /** The longest prefix of {@code readings} whose frame payload is at most {@code maxPayloadBytes}. */
    static List<Reading> fit(List<Reading> readings, int maxPayloadBytes) {
        Set<String> names = new LinkedHashSet<>();
        int n = 0;
        for (Reading r : readings) {
            boolean newName = names.add(r.sensor());
            if (payloadBytes(names, n + 1) > maxPayloadBytes) {
                if (newName) {
                    names.remove(r.sensor());
                }
                break;
            }
            n++;
        }
        return readings.subList(0, n);
    }

    static long payloadBytes(Set<String> names, int count) {
        return Frames.readingsFrameBytes(names, count) - Frames.HEADER_BYTES - Frames.TRAILER_BYTES;
    }
}
