package io.pigateway.client.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {
    private static final Duration MIN = Duration.ofMillis(500);
    private static final Duration MAX = Duration.ofSeconds(30);

    @Test
    void everyDelayIsWithinMinAndTheDoublingCeiling() {
        ReconnectBackoff b = new ReconnectBackoff(MIN, MAX, new SplittableRandom(1));
        for (int failure = 1; failure <= 200; failure++) {
            Duration d = b.next();
            long ceiling = Math.min(MAX.toMillis(), MIN.toMillis() << Math.min(failure, 20));
            assertTrue(d.compareTo(MIN) >= 0, "failure " + failure + ": " + d);
            assertTrue(d.toMillis() <= ceiling, "failure " + failure + ": " + d + " above " + ceiling + " ms");
        }
        assertEquals(200, b.failures());
    }

    @Test
    void ceilingDoublesUpToTheMaximum() {
        ReconnectBackoff b = new ReconnectBackoff(MIN, MAX, new SplittableRandom(1));
        assertEquals(Duration.ofSeconds(1).toNanos(), b.ceilingNanos(1));
        assertEquals(Duration.ofSeconds(2).toNanos(), b.ceilingNanos(2));
        assertEquals(Duration.ofSeconds(16).toNanos(), b.ceilingNanos(5));
        assertEquals(MAX.toNanos(), b.ceilingNanos(6));
        assertEquals(MAX.toNanos(), b.ceilingNanos(63), "no overflow for long outages");
        assertEquals(MAX.toNanos(), b.ceilingNanos(Integer.MAX_VALUE));
    }

    @Test
    void jitterSpreadsOverTheWholeRange() {
        ReconnectBackoff b = new ReconnectBackoff(MIN, MAX, new SplittableRandom(7));
        long lowest = Long.MAX_VALUE;
        long highest = 0;
        for (int i = 0; i < 1000; i++) {
            for (int k = 0; k < 10; k++) {
                b.next();
            }
            long d = b.next().toMillis(); // far past the doubling: uniform in [min, max]
            lowest = Math.min(lowest, d);
            highest = Math.max(highest, d);
            b.reset();
        }
        assertTrue(lowest < 2_000, "lowest " + lowest);
        assertTrue(highest > 28_000, "highest " + highest);
    }

    @Test
    void resetStartsOverNearTheMinimum() {
        ReconnectBackoff b = new ReconnectBackoff(MIN, MAX, new SplittableRandom(3));
        for (int i = 0; i < 20; i++) {
            b.next();
        }
        b.reset();
        assertEquals(0, b.failures());
        assertTrue(b.next().toMillis() <= 1000);
    }

    @Test
    void minEqualToMaxIsAFixedDelay() {
        ReconnectBackoff b = new ReconnectBackoff(MAX, MAX, new SplittableRandom(3));
        assertEquals(MAX, b.next());
        assertEquals(MAX, b.next());
    }

    @Test
    void invalidBounds() {
        assertThrows(IllegalArgumentException.class, () -> new ReconnectBackoff(Duration.ZERO, MAX, new SplittableRandom()));
        assertThrows(IllegalArgumentException.class, () -> new ReconnectBackoff(MAX, MIN, new SplittableRandom()));
    }
}
