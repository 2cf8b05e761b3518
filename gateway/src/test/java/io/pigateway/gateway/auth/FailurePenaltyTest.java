package io.pigateway.gateway.auth;

import static io.pigateway.gateway.auth.SourcePrefixes.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailurePenaltyTest {
    @Test
    void theDelayDoublesPerFailureUpToTwoSecondsAndIsForgivenBySuccessOrTime() throws Exception {
        AtomicLong nanos = new AtomicLong();
        FailurePenalty penalty = new FailurePenalty(nanos::get);
        SourcePrefix a = source("192.168.1.9");
        assertEquals(Duration.ZERO, penalty.delay(a, "pi-1"));
        long[] expected = {250, 500, 1000, 2000, 2000, 2000};
        for (long ms : expected) {
            penalty.failed(a, "pi-1");
            assertEquals(Duration.ofMillis(ms), penalty.delay(a, "pi-1"));
        }
        penalty.succeeded(a, "pi-1");
        assertEquals(Duration.ZERO, penalty.delay(a, "pi-1"), "a device that got in clears its own record");

        penalty.failed(a, "pi-1");
        nanos.addAndGet(TimeUnit.MINUTES.toNanos(FailurePenalty.FORGET_AFTER_MINUTES) + 1);
        assertEquals(Duration.ZERO, penalty.delay(a, "pi-1"), "forgotten after ten quiet minutes");
        assertEquals(1, penalty.failed(a, "pi-1"), "and counting starts again");
    }

    @Test
    void theLongestWaitStaysWellBelowTheClientsDefaultConnectTimeout() {
        // sensor-client's gateway.connect-timeout defaults to 5 s for each answer of the handshake.
        assertTrue(FailurePenalty.MAX_DELAY_MILLIS <= 2500, FailurePenalty.MAX_DELAY_MILLIS + " ms");
    }

    @Test
    void aFailingDeviceSlowsNeitherItsNeighboursNorItselfElsewhereAndTheirSuccessDoesNotClearIt() throws Exception {
        FailurePenalty penalty = new FailurePenalty(() -> 0);
        SourcePrefix site = source("203.0.113.7");
        for (int i = 0; i < 10; i++) {
            penalty.failed(site, "stale-secret");
        }
        assertEquals(Duration.ZERO, penalty.delay(site, "neighbour"), "another device behind the same address");
        assertEquals(Duration.ZERO, penalty.delay(source("203.0.113.8"), "stale-secret"), "the same id elsewhere");
        penalty.succeeded(site, "neighbour");
        assertEquals(Duration.ofMillis(FailurePenalty.MAX_DELAY_MILLIS), penalty.delay(site, "stale-secret"));
    }

    @Test
    void aFullTableForgetsItsOldestRecordsNotAll() throws Exception {
        AtomicLong nanos = new AtomicLong();
        FailurePenalty penalty = new FailurePenalty(nanos::get);
        SourcePrefix attacker = source("198.51.100.1");
        SourcePrefix flooder = source("198.51.100.2");
        penalty.failed(attacker, "target");
        nanos.incrementAndGet();
        penalty.failed(flooder, "first-invented-id");
        nanos.incrementAndGet();
        penalty.failed(attacker, "target"); // a new failure makes its record the newest
        for (int i = 0; i < FailurePenalty.MAX_RECORDS - 2; i++) {
            nanos.incrementAndGet();
            penalty.failed(flooder, "invented-" + i);
        }
        assertEquals(FailurePenalty.MAX_RECORDS, penalty.size());
        nanos.incrementAndGet();
        penalty.failed(flooder, "one-more");
        assertEquals(FailurePenalty.MAX_RECORDS, penalty.size(), "bounded");
        assertEquals(Duration.ZERO, penalty.delay(flooder, "first-invented-id"), "the oldest record went");
        assertEquals(Duration.ofMillis(500), penalty.delay(attacker, "target"), "and only that one");
        assertEquals(Duration.ofMillis(250), penalty.delay(flooder, "invented-0"));
    }
}
