package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DatabaseBackoffTest {
    @Test
    void doublesFromOneHundredMillisUpToTheMaximumAndResetsOnSuccess() {
        DatabaseBackoff b = new DatabaseBackoff(Duration.ofMillis(700));
        assertFalse(b.pending());
        assertEquals(Duration.ZERO, b.delay());
        long[] expected = {100, 200, 400, 700, 700};
        for (long ms : expected) {
            b.failed();
            assertTrue(b.pending());
            assertEquals(Duration.ofMillis(ms), b.delay());
        }
        for (int i = 0; i < 100; i++) {
            b.failed();
        }
        assertEquals(Duration.ofMillis(700), b.delay(), "no overflow after many failures");
        b.succeeded();
        assertFalse(b.pending());
    }
}
