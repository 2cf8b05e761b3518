package io.pigateway.client.sensor.gpio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DebouncerTest {
    private static final long MS = 1_000_000;
    private final ManualTimer timer = new ManualTimer();
    private final List<String> changes = new ArrayList<>();
    private final long t0 = timer.millis;

    private Debouncer debouncer(long windowMillis) {
        return new Debouncer(windowMillis * MS, false, () -> timer.nanos, () -> timer.millis, timer,
                (high, at) -> changes.add((high ? 1 : 0) + "@" + (at - t0)));
    }

    @Test
    void bouncesInsideTheWindowGiveOneChangeAtTheFirstEdge() {
        Debouncer d = debouncer(20);
        d.edge(true);
        timer.advanceMillis(1);
        d.edge(false);
        timer.advanceMillis(2);
        d.edge(true);
        timer.advanceMillis(19);
        assertEquals(List.of(), changes, "not quiet for 20 ms yet: the last bounce was 19 ms ago");
        timer.advanceMillis(1);
        assertEquals(List.of("1@0"), changes);
        assertTrue(d.level());
        assertEquals(0, timer.pending());
    }

    @Test
    void aBurstThatEndsWhereItStartedIsNoChange() {
        Debouncer d = debouncer(10);
        d.edge(true);
        d.edge(false);
        timer.advanceMillis(50);
        assertEquals(List.of(), changes);
        assertFalse(d.level());
    }

    @Test
    void changesFurtherApartThanTheWindowEachCount() {
        Debouncer d = debouncer(10);
        d.edge(true);
        timer.advanceMillis(30);
        d.edge(false);
        timer.advanceMillis(30);
        d.edge(true);
        timer.advanceMillis(30);
        assertEquals(List.of("1@0", "0@30", "1@60"), changes);
    }

    @Test
    void zeroWindowReportsEveryChangeAtOnceButNotRepeats() {
        Debouncer d = debouncer(0);
        d.edge(true);
        d.edge(true);
        d.edge(false);
        assertEquals(List.of("1@0", "0@0"), changes);
        assertEquals(0, timer.pending(), "no timer needed");
    }

    @Test
    void nothingAfterStop() {
        Debouncer d = debouncer(10);
        d.edge(true);
        d.stop();
        timer.advanceMillis(20);
        d.edge(false);
        timer.advanceMillis(20);
        assertEquals(List.of(), changes);
    }
}
