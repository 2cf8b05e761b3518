package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pigateway.protocol.NackCode;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefusalLogTest {
    @Test
    void repeatsWithinAMinuteAreCountedAndReportedWithTheNextLine() throws Exception {
        AtomicLong nanos = new AtomicLong();
        RefusalLog log = new RefusalLog(nanos::get);
        InetAddress a = InetAddress.getByName("127.0.0.5");
        assertEquals("first", log.line(a, NackCode.AUTHENTICATION_FAILED, "first"));
        assertNull(log.line(a, NackCode.AUTHENTICATION_FAILED, "second"));
        assertNull(log.line(a, NackCode.AUTHENTICATION_FAILED, "third"));
        assertEquals("other code", log.line(a, NackCode.TIMEOUT, "other code"), "another kind is its own line");
        assertEquals("other address", log.line(InetAddress.getByName("127.0.0.6"), NackCode.AUTHENTICATION_FAILED,
                "other address"));
        nanos.addAndGet(RefusalLog.WINDOW_NANOS);
        assertEquals("fourth (and 2 more AUTHENTICATION_FAILED refusals of 127.0.0.5 in the minute before, not logged)",
                log.line(a, NackCode.AUTHENTICATION_FAILED, "fourth"));
        nanos.addAndGet(RefusalLog.WINDOW_NANOS);
        assertEquals("fifth", log.line(a, NackCode.AUTHENTICATION_FAILED, "fifth"), "no repeats, no count");
    }
}
