package io.pigateway.gateway.net;

import static io.pigateway.gateway.auth.SourcePrefixes.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.auth.SourcePrefix;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectionRatesTest {
    @Test
    void eachSourceGetsItsBurstThenItsRate() throws Exception {
        AtomicLong nanos = new AtomicLong();
        ConnectionRates rates = new ConnectionRates(10, 5, nanos::get);
        SourcePrefix a = source("2001:db8::1");
        for (int i = 0; i < 5; i++) {
            assertEquals(0, rates.take(a), "connection " + i + " of the burst");
        }
        assertEquals(100, rates.take(source("2001:db8::ffff")), "the same /64 has spent its burst");
        assertEquals(0, rates.take(source("192.0.2.1")), "another source has its own");
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        assertEquals(0, rates.take(a), "one more after a tenth of a second");
        assertTrue(rates.take(a) > 0);
    }

    @Test
    void zeroMeansNoLimitAndTheTableIsBounded() throws Exception {
        ConnectionRates none = new ConnectionRates(0, 1, () -> 0);
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, none.take(source("192.0.2.1")));
        }
        ConnectionRates rates = new ConnectionRates(1, 1, () -> 0);
        for (int i = 0; i < ConnectionRates.MAX_SOURCES + 10; i++) {
            rates.take(SourcePrefix.of(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}), 32, 64));
        }
        assertEquals(ConnectionRates.MAX_SOURCES, rates.sources());
    }
}
