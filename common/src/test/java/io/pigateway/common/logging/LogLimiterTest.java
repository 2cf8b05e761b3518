package io.pigateway.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogLimiterTest {
    @Test
    void atMostNLinesPerWindowAndTheNextLineCountsTheOnesLeftOut() {
        AtomicLong clock = new AtomicLong();
        LogLimiter limiter = new LogLimiter(2, Duration.ofSeconds(60), clock::get);
        assertEquals("", limiter.admit());
        assertEquals("", limiter.admit());
        assertNull(limiter.admit());
        assertNull(limiter.admit());
        clock.addAndGet(Duration.ofSeconds(59).toNanos());
        assertNull(limiter.admit());
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(" (3 more like it not logged before this one)", limiter.admit());
        assertEquals("", limiter.admit());
        assertNull(limiter.admit());
    }
}
