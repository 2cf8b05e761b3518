package io.pigateway.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailurePenaltyTest {
    @Test
    void theDelayDoublesPerFailureUpToTenSecondsAndIsForgivenBySuccessOrTime() throws Exception {
        AtomicLong nanos = new AtomicLong();
        FailurePenalty penalty = new FailurePenalty(nanos::get);
        InetAddress a = InetAddress.getByName("192.168.1.9");
        assertEquals(Duration.ZERO, penalty.delay(a));
        long[] expected = {250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000};
        for (long ms : expected) {
            penalty.failed(a);
            assertEquals(Duration.ofMillis(ms), penalty.delay(a));
        }
        penalty.succeeded(a);
        assertEquals(Duration.ZERO, penalty.delay(a), "a device that got in clears its address");

        penalty.failed(a);
        nanos.addAndGet(TimeUnit.MINUTES.toNanos(FailurePenalty.FORGET_AFTER_MINUTES) + 1);
        assertEquals(Duration.ZERO, penalty.delay(a), "forgotten after ten quiet minutes");
        assertEquals(1, penalty.failed(a), "and counting starts again");
    }
}
