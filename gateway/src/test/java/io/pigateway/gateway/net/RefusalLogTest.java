package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pigateway.protocol.NackCode;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefusalLogTest {
    /** The clock of {@link #log}, moved by each test. */
    private final AtomicLong nanos = new AtomicLong();
    private final RefusalLog log = new RefusalLog(nanos::get);

    @Test
    void repeatsWithinAMinuteAreCountedAndReportedWithTheNextLine() throws Exception {
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

    @Test
    void repeatsAreReportedWhenTheirMinuteIsOverThoughNoRefusalFollows() throws Exception {
        InetAddress a = InetAddress.getByName("127.0.0.5");
        InetAddress quiet = InetAddress.getByName("127.0.0.6");
        assertEquals("first", log.line(a, NackCode.AUTHENTICATION_FAILED, "first"));
        assertEquals("once", log.line(quiet, NackCode.AUTHENTICATION_FAILED, "once"));
        for (int i = 0; i < 12; i++) {
            assertNull(log.line(a, NackCode.AUTHENTICATION_FAILED, "again"));
        }
        nanos.addAndGet(RefusalLog.WINDOW_NANOS - 1);
        assertEquals(List.of(), log.closeExpired(), "the minute is not over yet");
        nanos.addAndGet(1);
        assertEquals(List.of("12 more AUTHENTICATION_FAILED refusals of 127.0.0.5 in the minute after the one logged,"
                + " not logged"), log.closeExpired(), "reported once, nothing for an address without repeats");
        assertEquals(List.of(), log.closeExpired(), "each count is reported once");
        assertEquals("after", log.line(a, NackCode.AUTHENTICATION_FAILED, "after"), "a new minute starts with a line");
    }

    @Test
    void repeatsStillCountedAtShutdownAreReported() throws Exception {
        InetAddress a = InetAddress.getByName("::1");
        log.line(a, NackCode.TIMEOUT, "first");
        log.line(a, NackCode.TIMEOUT, "second");
        log.line(a, NackCode.TIMEOUT, "third");
        nanos.addAndGet(RefusalLog.WINDOW_NANOS / 2);
        assertEquals(List.of("2 more TIMEOUT refusals of ::1 since the one logged, until shutdown, not logged"),
                log.closeAll());
        assertEquals(List.of(), log.closeAll());
    }
}
