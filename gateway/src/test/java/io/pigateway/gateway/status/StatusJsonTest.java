package io.pigateway.gateway.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pigateway.gateway.config.AccessToken;
import io.pigateway.gateway.config.HttpConfig;
import io.pigateway.gateway.metrics.GatewayMetrics;
import io.pigateway.gateway.metrics.GatewayState;
import io.pigateway.gateway.metrics.StoreHealth;
import io.pigateway.protocol.NackCode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON the status page's script reads (/status.json), built from real counters. */
class StatusJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GatewayInfo INFO = new GatewayInfo("1.2.3", System.currentTimeMillis() - 90_000,
            "127.0.0.1:7000", false, "secrets",
            "MySQL gateway@db:3306/pi");
    private static final String TOKEN = "a-secret-token-0123456789";

    static final class State implements GatewayState {
        volatile StoreHealth store = new StoreHealth(true, null, null, 0);
        volatile int queue;

        @Override
        public boolean accepting() {
            return true;
        }

        @Override
        public int connectionsOpen() {
            return 4;
        }

        @Override
        public int devicesConnected() {
            return 3;
        }

        @Override
        public int queueDepth() {
            return queue;
        }

        @Override
        public int queueCapacity() {
            return 100_000;
        }

        @Override
        public StoreHealth store() {
            return store;
        }

        @Override
        public String tlsSummary() {
            return "TLS off: clients connect in plaintext";
        }
    }

    private static HttpConfig config() {
        return HttpConfig.loopbackAnyPort().withToken(new AccessToken(TOKEN));
    }

    @Test
    void summaryHasVersionUptimeStoreListenerTlsAndAuth() throws Exception {
        State state = new State();
        state.store = new StoreHealth(false, Instant.parse("2026-05-01T12:03:04Z"),
                "Communications link failure: \"Connection refused\"\nretrying", 2);
        StatusPage page = StatusPage.unstarted(INFO, new GatewayMetrics(), state, config());
        JsonNode g = JSON.readTree(page.json(null, null)).get("gateway");
        assertEquals("1.2.3", g.get("version").asText());
        assertTrue(g.get("uptimeSeconds").asLong() >= 90, g.toString());
        assertTrue(g.get("listener").get("up").asBoolean());
        assertEquals("127.0.0.1:7000", g.get("listener").get("address").asText());
        assertFalse(g.get("tls").asBoolean());
        assertEquals("secrets", g.get("auth").asText());
        JsonNode store = g.get("store");
        assertFalse(store.get("up").asBoolean());
        assertEquals(Instant.parse("2026-05-01T12:03:04Z").toEpochMilli(), store.get("downSince").asLong());
        assertEquals("Communications link failure: \"Connection refused\"\nretrying", store.get("problem").asText());
        assertEquals(2, store.get("outages").asLong());
        assertEquals("unreachable", store.get("state").asText());
        assertEquals("MySQL gateway@db:3306/pi", store.get("type").asText());
        assertEquals(3, g.get("devicesConnected").asInt());
    }

    @Test
    void aReadOnlyDatabaseIsShownAsReadOnlyNotJustDown() throws Exception {
        State state = new State();
        state.store = new StoreHealth(false, Instant.parse("2026-05-01T12:03:04Z"),
                "The MariaDB server is running with the --read-only option", 1, StoreHealth.State.READ_ONLY);
        StatusPage page = StatusPage.unstarted(INFO, new GatewayMetrics(), state, config());
        assertEquals("read-only", JSON.readTree(page.json(null, null)).get("gateway").get("store").get("state").asText());
        assertEquals("read-only", StatusHtml.storeDown(state.store));
    }

    @Test
    void devicesCarryAddressStreamRateAndAreFreshAfterACommit() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics();
        StatusPage page = StatusPage.unstarted(INFO, metrics, new State(), config());
        metrics.deviceConnected("pi-1", "127.0.0.1:50123", 0x1f2e3d4c5b6a7988L);
        page.sample();
        metrics.deviceCommitted("pi-1", 40);
        page.sample();
        JsonNode root = JSON.readTree(page.json(null, null));
        JsonNode d = root.get("devices").get(0);
        assertEquals("pi-1", d.get("id").asText());
        assertEquals("fresh", d.get("state").asText());
        assertTrue(d.get("connected").asBoolean());
        assertEquals("127.0.0.1:50123", d.get("address").asText());
        assertEquals("2246800662264969608", d.get("stream").asText(), "as stored in readings.stream_id");
        assertEquals(40.0, d.get("readingsPerSecond").asDouble(), 1e-9, "40 readings between two samples, 1 s apart");
        assertEquals(1, root.get("counts").get("fresh").asInt());

        metrics.deviceDisconnected("pi-1");
        assertFalse(JSON.readTree(page.json(null, null)).get("devices").get(0).get("connected").asBoolean());
    }

    @Test
    void spoolDepthAndDroppedAreThoseTheClientLastReportedOrNull() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics();
        StatusPage page = StatusPage.unstarted(INFO, metrics, new State(), config());
        metrics.deviceCommitted("pi-1", 1);
        metrics.deviceCommitted("pi-2", 1);
        page.reports(java.util.Map.of("pi-1", new io.pigateway.gateway.store.ClientReports.Report(42L, 3L)));
        JsonNode devices = JSON.readTree(page.json(null, null)).get("devices");
        assertEquals(42, devices.get(0).get("spoolDepth").asLong());
        assertEquals(3, devices.get(0).get("dropped").asLong());
        assertTrue(devices.get(1).get("spoolDepth").isNull());
        assertTrue(devices.get(1).get("dropped").isNull());
    }

    @Test
    void aDeviceThatIsOnlyRefusedIsListedWithItsReasons() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics();
        StatusPage page = StatusPage.unstarted(INFO, metrics, new State(), config());
        metrics.deviceRefused("intruder", "10.0.0.9:40000", NackCode.AUTHENTICATION_FAILED);
        metrics.deviceRefused("intruder", "10.0.0.9:40001", NackCode.AUTHENTICATION_FAILED);
        metrics.deviceRefused(null, "10.0.0.10:1", NackCode.HANDSHAKE_REQUIRED); // no id: not a device row
        JsonNode root = JSON.readTree(page.json(null, null));
        assertEquals(1, root.get("devices").size(), root.toString());
        JsonNode d = root.get("devices").get(0);
        assertEquals("intruder", d.get("id").asText());
        assertEquals("refused", d.get("state").asText());
        assertEquals("10.0.0.9:40001", d.get("address").asText());
        assertEquals(2, d.get("refusals").get("authentication_failed").asInt());
        assertEquals("authentication_failed", d.get("lastRefusalReason").asText());
        assertEquals(1, root.get("counts").get("refused").asInt());
    }

    @Test
    void statesFollowTheAgeOfTheLastCommitAndTheThresholds() {
        long now = 1_000_000;
        long late = Duration.ofSeconds(30).toMillis();
        long silent = Duration.ofMinutes(5).toMillis();
        assertEquals(StatusView.State.FRESH, StatusView.state(now - late, false, now, late, silent));
        assertEquals(StatusView.State.LATE, StatusView.state(now - late - 1, false, now, late, silent));
        assertEquals(StatusView.State.LATE, StatusView.state(now - silent, true, now, late, silent));
        assertEquals(StatusView.State.SILENT, StatusView.state(now - silent - 1, false, now, late, silent));
        assertEquals(StatusView.State.SILENT, StatusView.state(0, false, now, late, silent), "never committed");
        assertEquals(StatusView.State.REFUSED, StatusView.state(0, true, now, late, silent));
    }

    @Test
    void seriesHasOnePointPerSampleAndOnlyNewerOnesAfterSince() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics();
        State state = new State();
        StatusPage page = StatusPage.unstarted(INFO, metrics, state, config());
        page.sample(); // the first sample is the baseline
        metrics.transactionCommitted(2, 100, 100, 3_000_000);
        metrics.frameAcknowledged(5_000_000);
        state.queue = 7;
        page.sample();
        JsonNode s = JSON.readTree(page.json(null, null)).get("series");
        assertEquals(1, s.get("t").size());
        assertTrue(s.get("readingsPerSecond").get(0).asDouble() > 0);
        assertEquals(7, s.get("queue").get(0).asInt());
        double ackP50 = s.get("ackP50Ms").get(0).asDouble();
        assertTrue(ackP50 >= 5 && ackP50 < 6, "5 ms to within a bucket (19 %): " + ackP50);
        double commitP99 = s.get("commitP99Ms").get(0).asDouble();
        assertTrue(commitP99 >= 3 && commitP99 < 3.6, "3 ms: " + commitP99);

        long t = s.get("t").get(0).asLong();
        JsonNode none = JSON.readTree(page.json(Long.toString(t), null)).get("series");
        assertEquals(0, none.get("t").size(), "nothing newer than the newest point");
        page.sample(); // nothing happened in this second: no latency to show
        JsonNode idle = JSON.readTree(page.json(null, null)).get("series");
        assertTrue(idle.get("ackP50Ms").get(idle.get("t").size() - 1).isNull());
    }

    @Test
    void devicePlotIsSentOnlyWhenAsked() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics();
        StatusPage page = StatusPage.unstarted(INFO, metrics, new State(), config());
        metrics.deviceCommitted("pi-1", 10);
        page.sample();
        assertFalse(JSON.readTree(page.json(null, null)).has("device"));
        JsonNode d = JSON.readTree(page.json("0", "pi-1")).get("device");
        assertEquals("pi-1", d.get("id").asText());
        assertEquals(d.get("t").size(), d.get("readingsPerSecond").size());
        JsonNode unknown = JSON.readTree(page.json("0", "no-such")).get("device");
        assertEquals(0, unknown.get("t").size());
    }

    @Test
    void oddDeviceIdsAndProblemsStayValidJsonAndNoTokenAppears() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics();
        State state = new State();
        state.store = new StoreHealth(false, null, "bad \\ thing \u0001 </script>", 1);
        StatusPage page = StatusPage.unstarted(INFO, metrics, state, config());
        metrics.deviceRefused("<b>\"x\"</b>", "127.0.0.1:1", NackCode.CERTIFICATE_MISMATCH);
        String json = page.json(null, null);
        assertFalse(json.contains("</"), "no closing tag can end a script block: " + json);
        assertFalse(json.contains(TOKEN));
        JsonNode root = JSON.readTree(json);
        assertEquals("<b>\"x\"</b>", root.get("devices").get(0).get("id").asText());
        assertEquals("bad \\ thing \u0001 </script>", root.get("gateway").get("store").get("problem").asText());
        String html = StatusHtml.render(page.view(), null, null, "/");
        assertFalse(html.contains("<b>\"x\"</b>"), "escaped in HTML");
        assertTrue(html.contains("&lt;b&gt;&quot;x&quot;&lt;/b&gt;"));
        assertFalse(html.contains(TOKEN));
    }

    @Test
    void htmlFiltersAndSortsWithoutJavaScript() {
        GatewayMetrics metrics = new GatewayMetrics();
        StatusPage page = StatusPage.unstarted(INFO, metrics, new State(), config());
        metrics.deviceCommitted("b-fresh", 1);
        metrics.deviceCommitted("a-fresh", 1);
        metrics.deviceRefused("c-refused", "127.0.0.1:2", NackCode.AUTHENTICATION_FAILED);
        String fresh = StatusHtml.render(page.view(), "fresh", "-id", "/");
        assertTrue(fresh.indexOf("data-device=\"b-fresh\"") < fresh.indexOf("data-device=\"a-fresh\""), "descending id");
        assertFalse(fresh.contains("data-device=\"c-refused\""));
        String refused = StatusHtml.render(page.view(), "refused", null, "/");
        assertTrue(refused.contains("data-device=\"c-refused\""));
        assertFalse(refused.contains("data-device=\"a-fresh\""));
    }

    /**
     * What one refresh costs with a full table: 1,000 devices (GatewayMetrics.MAX_DEVICES), a full hour
     * of samples. Prints the figure docs/STATUS.md quotes; fails only if it is absurdly slow.
     */
    @Test
    void aRefreshWithAThousandDevicesAndAFullHourIsCheap() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics();
        StatusPage page = StatusPage.unstarted(INFO, metrics, new State(), config());
        for (int i = 0; i < 1000; i++) {
            String id = String.format("device-%04d", i);
            metrics.deviceConnected(id, "10.0.0." + (i % 250) + ":5" + i, i + 1);
            metrics.deviceCommitted(id, 10);
            if (i % 10 == 0) {
                metrics.deviceRefused(id, "10.0.0.1:1", NackCode.RATE_LIMITED);
            }
        }
        long sampleStart = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        for (int s = StatusHistory.SECONDS; s >= 0; s--) { // one sample a second for the hour up to now
            metrics.transactionCommitted(1, 100, 100, 1_000_000);
            metrics.frameAcknowledged(2_000_000);
            page.sample(nowMillis - s * 1000L, System.nanoTime() - s * 1_000_000_000L);
        }
        double sampleMicros = (System.nanoTime() - sampleStart) / 1e3 / (StatusHistory.SECONDS + 1);
        List<Long> full = new ArrayList<>();
        List<Long> poll = new ArrayList<>();
        List<Long> html = new ArrayList<>();
        int bytes = 0;
        int pollBytes = 0;
        for (int round = 0; round < 30; round++) {
            long t0 = System.nanoTime();
            bytes = page.json(null, null).length();
            long t1 = System.nanoTime();
            pollBytes = page.json(Long.toString(nowMillis / 1000 - 2), null).length(); // the last 2 s
            long t2 = System.nanoTime();
            StatusHtml.render(page.view(), null, null, "/");
            long t3 = System.nanoTime();
            full.add(t1 - t0);
            poll.add(t2 - t1);
            html.add(t3 - t2);
        }
        System.out.printf("status page, 1000 devices, full hour: sample %.0f µs; first load JSON %.1f ms (%d KB),"
                        + " poll JSON %.1f ms (%d KB), HTML %.1f ms (medians of 30 after warm-up)%n", sampleMicros,
                median(full), bytes / 1024, median(poll), pollBytes / 1024, median(html));
        assertTrue(median(poll) < 200, "a poll took " + median(poll) + " ms");
    }

    private static double median(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos.subList(10, nanos.size()));
        sorted.sort(null);
        return sorted.get(sorted.size() / 2) / 1e6;
    }
}
