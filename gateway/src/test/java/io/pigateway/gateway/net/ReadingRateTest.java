package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReadingRateTest {
    @Test
    void aBurstIsAllowedThenTheRateAndTheWaitIsExact() {
        AtomicLong nanos = new AtomicLong();
        ReadingRate rate = new ReadingRate(1000, 4096, nanos::get);
        assertEquals(0, rate.take(4000), "the burst is there from the start");
        assertEquals(0, rate.take(96));
        assertEquals(500, rate.take(500), "500 readings at 1000/s take half a second to earn");
        nanos.addAndGet(500_000_000L);
        assertEquals(0, rate.take(500));
        assertEquals(1, rate.take(1), "never 0 ms for a refusal");
    }

    @Test
    void savedTokensNeverExceedTheBurst() {
        AtomicLong nanos = new AtomicLong();
        ReadingRate rate = new ReadingRate(1000, 2000, nanos::get);
        nanos.addAndGet(3_600_000_000_000L); // an hour of silence
        assertEquals(0, rate.take(2000));
        assertEquals(1000, rate.take(1000));
    }
}
