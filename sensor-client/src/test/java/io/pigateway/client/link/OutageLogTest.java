package io.pigateway.client.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.testing.CapturedLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The outage log's lines over a manual clock: a first warning, a summary per interval, one line on recovery. */
class OutageLogTest {
    private static final String GATEWAYS = "gw-test-a:4711, gw-test-b:4711";
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final OutageLog outage = new OutageLog(now::get, Duration.ofMinutes(5));
    @RegisterExtension
    final CapturedLog log = CapturedLog.eachTest();

    private void failEvery(Duration step, int times) {
        for (int i = 1; i <= times; i++) {
            now.addAndGet(step.toNanos());
            outage.failed(GATEWAYS, "gateway gw-test-a:4711 unreachable: Connection refused (attempt " + i + ")");
        }
    }

    @Test
    void anHourOfFailuresEveryTenSecondsIsTheFirstWarningAndOneSummaryPerFiveMinutes() {
        failEvery(Duration.ofSeconds(10), 360);
        List<String> warnings = log.lines("WARN", "gw-test-a:4711");
        // The first failure, then a summary at 300 s, 600 s, ... 3590 s: 11 of them.
        assertEquals(12, warnings.size(), String.join("\n", warnings));
        assertTrue(warnings.get(0).contains("unreachable: Connection refused (attempt 1); further failures are"
                + " summarised every 300.0 s"), warnings.get(0));
        assertTrue(warnings.get(1).contains("still cannot reach gateway " + GATEWAYS + ": 31 failed attempts since "),
                warnings.get(1));
        assertTrue(warnings.get(1).contains("(300.0 s ago); last error: gateway gw-test-a:4711 unreachable:"
                + " Connection refused (attempt 31)"), warnings.get(1));

        outage.connected("gw-test-a:4711");
        List<String> back = log.lines("INFO", "reached gateway gw-test-a:4711 again after 360 failed attempts since ");
        assertEquals(1, back.size(), back.toString());
        assertTrue(back.getFirst().contains("(3590.0 s); last error: gateway gw-test-a:4711 unreachable: Connection"
                + " refused (attempt 360)"), back.getFirst());
    }

    @Test
    void aConnectionWithoutAnOutageSaysNothingAndTheNextOutageWarnsAgain() {
        outage.connected("gw-test-a:4711");
        failEvery(Duration.ofSeconds(1), 3);
        outage.connected("gw-test-a:4711");
        outage.connected("gw-test-a:4711");
        failEvery(Duration.ofSeconds(1), 2);
        assertEquals(2, log.lines("WARN", "gw-test-a:4711", "(attempt 1); further failures").size());
        assertEquals(1, log.lines("INFO", "reached gateway gw-test-a:4711 again").size());
    }
}
