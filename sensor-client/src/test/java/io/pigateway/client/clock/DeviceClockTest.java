package io.pigateway.client.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A clock that starts in 1970 and is set later: stamps, and the times they are sent with. Manual clocks, no sleeping. */
class DeviceClockTest {
    static final long NOW = Instant.parse("2026-12-02T12:00:00Z").toEpochMilli();
    static final long SECOND = 1_000_000_000L;

    private final AtomicLong wall = new AtomicLong(5_000);      // 5 s after 1970: booted without RTC
    private final AtomicLong mono = new AtomicLong(123 * SECOND); // any origin
    private final DeviceClock clock = new DeviceClock(wall::get, mono::get);

    private void pass(long seconds) {
        mono.addAndGet(seconds * SECOND);
        wall.addAndGet(seconds * 1000);
    }

    @Test
    void readingsSampledIn1970AreStampedWithTheTimeSinceStartAndGetTheirTimeOnceTheClockIsSet() {
        long first = clock.stamp();
        pass(10);
        long second = clock.stamp();
        assertEquals(1, first, "1 + 0 ms since start: no time, and never 0");
        assertEquals(10_001, second);
        assertTrue(second < DeviceClock.UNKNOWN_BEFORE_MILLIS);
        assertEquals(second, clock.correct(2, second), "no time known yet: sent as it is");

        pass(5);
        wall.set(NOW); // NTP sets the clock, 15 s after start
        assertEquals(NOW, clock.stamp(), "from now on the wall clock");
        assertEquals(NOW - 15_000, clock.correct(1, first), "sampled 15 s before the clock was set");
        assertEquals(NOW - 5_000, clock.correct(2, second));
        pass(60);
        assertEquals(NOW - 5_000, clock.correct(2, second), "the same time however late it is sent");
        assertEquals(NOW + 60_000, clock.correct(3, NOW + 60_000), "a real time is sent as it is");
    }

    @Test
    void withTheClockStillIn1970TheGatewaysClockGivesTheTime() {
        long stamp = clock.stamp();
        pass(20);
        long helloSent = mono.get();
        mono.addAndGet(SECOND / 5); // a 200 ms handshake; the gateway read its clock half way
        clock.gatewayClock(NOW, helloSent, mono.get());
        assertEquals(NOW - 20_100, clock.correct(1, stamp));
        assertEquals(1 + 20_200, clock.stamp(), "the wall clock is still not set: stamps stay marks");
    }

    @Test
    void aGatewayWhoseOwnClockIsNotSetIsIgnored() {
        long stamp = clock.stamp();
        clock.gatewayClock(42_000, mono.get(), mono.get());
        assertEquals(stamp, clock.correct(1, stamp));
    }

    @Test
    void marksOfAnEarlierRunCannotBeConvertedAndStayAsTheyAre() {
        clock.runStartsAt(500); // the spool's next seq at this start
        wall.set(NOW);
        assertEquals(7_000, clock.correct(499, 7_000), "stamped by the run before: its start is unknown");
        assertEquals(NOW, clock.correct(500, 1), "stamped by this run at its start");
    }
}
