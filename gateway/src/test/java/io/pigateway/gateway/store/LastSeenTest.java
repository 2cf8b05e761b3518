package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.protocol.Reading;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LastSeenTest {
    private static final Instant T = Instant.parse("2026-12-02T20:00:00Z");

    private static ReadingBatch frame(String device, Instant receivedAt) {
        return new ReadingBatch(device, 1, receivedAt, List.of(new Reading(1, "t", 0, 1.0)));
    }

    @Test
    void aDeviceIsDueWithItsLatestFrameThenNotAgainWithinASecond() {
        LastSeen lastSeen = new LastSeen();
        assertEquals(Map.of("b", T.plusMillis(300), "a", T), lastSeen.due(List.of(
                frame("b", T), frame("a", T), frame("b", T.plusMillis(300)))));
        assertEquals(List.of("a", "b"), List.copyOf(lastSeen.due(List.of(frame("b", T.plusMillis(1300)),
                frame("a", T.plusMillis(1000)))).keySet()), "due again a second after what was written, in device order");
        assertEquals(Map.of(), lastSeen.due(List.of(frame("a", T.plusMillis(1999)), frame("b", T.plusMillis(2299)))));
        assertEquals(Map.of("c", T), lastSeen.due(List.of(frame("a", T.plusMillis(1500)), frame("c", T))),
                "a device never written is always due");
    }
}
