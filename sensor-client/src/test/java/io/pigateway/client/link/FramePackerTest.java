package io.pigateway.client.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.Reading;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FramePackerTest {
    private static List<Reading> readings(int n, String... names) {
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Reading(i + 1, names[i % names.length], 1000 + i, i));
        }
        return out;
    }

    private static int payloadOf(List<Reading> readings) {
        return FrameWriter.encode(new Message.Readings(readings)).length - Frames.HEADER_BYTES - Frames.TRAILER_BYTES;
    }

    @Test
    void everythingFitsUnderALargeLimit() {
        List<Reading> all = readings(500, "temp", "humidity", "door");
        assertEquals(all, FramePacker.fit(all, Frames.DEFAULT_MAX_PAYLOAD));
    }

    @Test
    void cutsToTheLongestPrefixThatFitsExactly() {
        List<Reading> all = readings(100, "temp", "humidity", "door");
        for (int limit = 60; limit < 1000; limit += 7) {
            List<Reading> fit = FramePacker.fit(all, limit);
            assertTrue(fit.isEmpty() || payloadOf(fit) <= limit, "limit " + limit);
            if (fit.size() < all.size()) {
                assertTrue(payloadOf(all.subList(0, fit.size() + 1)) > limit, "one more would have fit at " + limit);
            }
        }
    }

    @Test
    void aSensorNameCountsOnlyOnce() {
        List<Reading> one = readings(10, "only-one-sensor");
        // 2 + (2 + 15) + 2 + 10·26 = 281
        assertEquals(281, payloadOf(one));
        assertEquals(10, FramePacker.fit(one, 281).size());
        assertEquals(9, FramePacker.fit(one, 280).size());
    }

    @Test
    void nothingFitsBelowOneReading() {
        assertEquals(List.of(), FramePacker.fit(readings(3, "a-rather-long-sensor-name"), 40));
    }
}
