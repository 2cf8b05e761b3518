package io.pigateway.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceTimesTest {
    @Test
    void tracksDevicesUpToTheCapAndCountsEventsOfTheRest() {
        DeviceTimes times = new DeviceTimes(2);
        times.seen("a", 1000);
        times.committed("b", 1, 2000);
        times.seen("c", 3000);      // the table is full: counted, not tracked
        times.committed("c", 1, 3500);
        times.seen("a", 4000);      // known devices still move on
        times.committed("a", 1, 4500);

        Map<String, long[]> seen = new HashMap<>();
        times.forEach((id, t) -> seen.put(id, new long[] {t.seenMillis, t.committedMillis}));
        assertEquals(2, times.size());
        assertEquals(2, times.untracked());
        assertEquals(4000, seen.get("a")[0]);
        assertEquals(4500, seen.get("a")[1]);
        assertEquals(0, seen.get("b")[0], "never seen, only committed");
        assertEquals(2000, seen.get("b")[1]);
    }

    @Test
    void theCapHoldsWhenManyThreadsAddDevicesAtOnce() throws Exception {
        DeviceTimes times = new DeviceTimes(100);
        Thread[] threads = new Thread[8];
        for (int i = 0; i < threads.length; i++) {
            int base = i * 1000;
            threads[i] = Thread.ofPlatform().start(() -> {
                for (int d = 0; d < 200; d++) {
                    times.seen("dev-" + (base + d), 1);
                }
            });
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertEquals(100, times.size());
        assertEquals(8 * 200 - 100, times.untracked());
    }
}
