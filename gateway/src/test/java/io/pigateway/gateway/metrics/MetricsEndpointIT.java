package io.pigateway.gateway.metrics;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.HttpConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.Reading;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** /metrics counts what real devices did to a gateway over MariaDB; /health and the HTTP rules around them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsEndpointIT {
    static final Duration WAIT = Duration.ofSeconds(15);
    @TempDir
    static Path dir;
    static StoreConfig store;
    @AutoClose
    static Gateway gateway;
    static InetSocketAddress http;

    @BeforeAll
    static void start() throws Exception {
        store = TestStores.shared().freshSchema(dir);
        gateway = Gateway.start(TestGatewayConfig.forTests(dir).withStore(store).withHttp(HttpConfig.loopbackAnyPort()));
        http = gateway.httpAddress().orElseThrow();
    }

    @Test
    void countsCommittedDuplicateRejectedAndRefusedReadingsAsTheDevicesSawThem() throws Exception {
        long before = System.currentTimeMillis();
        try (TestDevice d = TestDevice.connect(gateway.address(), "meter-1", 7)) {
            d.sendRange(1, 100, 25);
            d.awaitAck(100, WAIT);
        }
        try (TestDevice again = TestDevice.connect(gateway.address(), "meter-1", 7)) {
            again.sendRange(51, 100, 25); // a resend after a lost connection: acknowledged, stored once
            again.awaitAck(100, WAIT);
        }
        try (TestDevice bad = TestDevice.connect(gateway.address(), "meter-2", 9)) {
            bad.send(new Message.Readings(List.of(new Reading(1, "t", 1_700_000_000_000L, Double.NaN),
                    new Reading(2, "t", 1_700_000_000_001L, 20.5))));
            assertEquals(NackCode.INVALID_READING, bad.awaitNack(WAIT).nackCode());
        }
        try (TestDevice refused = TestDevice.open(gateway.address())) {
            refused.send(new Message.Hello("meter-3", System.currentTimeMillis(), 0)); // stream id 0 is reserved
            assertEquals(NackCode.HELLO_REFUSED, refused.awaitNack(WAIT).nackCode());
        }
        long after = System.currentTimeMillis();

        HttpResponse<String> response = Http.get(http, "/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                response.headers().toString());
        Map<String, Double> m = Http.samples(response.body());

        assertEquals(100, m.get("pigw_readings_committed_total"), "new readings stored");
        assertEquals(TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM readings"),
                m.get("pigw_readings_committed_total").longValue(), "what the table holds");
        assertEquals(50, m.get("pigw_readings_duplicate_total"));
        assertEquals(100 + 50 + 2, m.get("pigw_readings_received_total"));
        assertEquals(4 + 2 + 1, m.get("pigw_frames_received_total"));
        assertEquals(6, m.get("pigw_batches_committed_total"));
        assertEquals(2, m.get("pigw_readings_rejected_total{reason=\"invalid_reading\"}"), "the whole frame");
        assertEquals(0, m.get("pigw_readings_rejected_total{reason=\"sequence_error\"}"), "known reasons start at 0");
        assertEquals(1, m.get("pigw_handshakes_refused_total{reason=\"hello_refused\"}"));
        assertEquals(1, m.get("pigw_nacks_sent_total{reason=\"invalid_reading\"}"));
        assertEquals(4, m.get("pigw_connections_accepted_total"));
        assertEquals(0, m.get("pigw_readings_failed_total"));

        double transactions = m.get("pigw_commit_duration_seconds_count");
        assertTrue(transactions > 0, "commit latency observed");
        assertTrue(m.get("pigw_commit_duration_seconds_sum") > 0);
        assertEquals(transactions, m.get("pigw_commit_duration_seconds_bucket{le=\"+Inf\"}"));
        assertEquals(transactions, m.get("pigw_transaction_readings_count"));
        assertEquals(150, m.get("pigw_transaction_readings_sum"), "readings per transaction, duplicates included");

        double seen = m.get("pigw_device_last_seen_timestamp_seconds{device=\"meter-1\"}");
        assertTrue(seen >= before / 1000.0 && seen <= after / 1000.0, seen + " not within the test");
        assertNotNull(m.get("pigw_device_last_commit_timestamp_seconds{device=\"meter-1\"}"));
        assertNotNull(m.get("pigw_device_last_seen_timestamp_seconds{device=\"meter-2\"}"), "seen, though refused");
        assertNull(m.get("pigw_device_last_commit_timestamp_seconds{device=\"meter-2\"}"), "nothing of it committed");
        assertNull(m.get("pigw_device_last_seen_timestamp_seconds{device=\"meter-3\"}"), "no handshake, no series");
        assertEquals(0, m.get("pigw_device_series_overflow_total"));

        assertEquals(1, m.get("pigw_database_up"));
        assertEquals(0, m.get("pigw_database_outages_total"));
        assertEquals(1, m.get("pigw_listener_up"));
        assertEquals(0, m.get("pigw_queue_readings"));
        assertEquals(100_000, m.get("pigw_queue_capacity_readings"));
        assertTrue(m.get("process_resident_memory_bytes") > 0, "JVM and process basics are there");
        assertTrue(m.get("jvm_memory_used_bytes{area=\"heap\"}") > 0);
    }

    @Test
    void healthIsOkJsonWhileTheListenerAcceptsAndTheDatabaseIsUp() throws Exception {
        HttpResponse<String> r = Http.get(http, "/health");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"status\":\"ok\",\"listener\":\"up\",\"store\":\"up\"}\n", r.body());

        HttpResponse<String> head = Http.send(http, "HEAD", "/health");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    void otherPathsAreNotFoundAndOtherMethodsNotAllowed() throws Exception {
        for (String path : List.of("/metricsx", "/metrics/x", "/healthz", "/favicon.ico", "/status/x", "/statusx")) {
            assertEquals(404, Http.get(http, path).statusCode(), path);
        }
        for (String method : List.of("POST", "PUT", "DELETE")) {
            HttpResponse<String> r = Http.send(http, method, "/metrics");
            assertEquals(405, r.statusCode(), method);
            assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElse(""));
        }
        assertEquals(200, Http.get(http, "/metrics?name[]=pigw_database_up").statusCode(), "a query is ignored");
    }

    @Test
    void aTakenHttpPortFailsStartUpNamingTheAddressAndPort(@TempDir Path own) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            GatewayConfig config = TestGatewayConfig.forTests(own)
                    .withHttp(new HttpConfig(true, InetAddress.getLoopbackAddress(), port));
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> Gateway.start(config).close());
            assertTrue(e.getMessage().startsWith("cannot serve metrics on 127.0.0.1:" + port + " (http.address, http.port): "),
                    e.getMessage());
        }
    }

    @Test
    void theEndpointIsOffUnlessEnabled(@TempDir Path own) throws Exception {
        GatewayConfig config = GatewayConfig.from(io.pigateway.common.Settings.of("gateway.conf", Map.of(
                "listen.address", "127.0.0.1", "listen.port", "0", "store.embedded-path", own.resolve("store").toString(),
                "log.stats-interval", "0s", "auth.mode", "open")));
        boolean defaultPortFreeBefore = refused(HttpConfig.DEFAULT_PORT);
        try (Gateway off = Gateway.start(config)) {
            assertFalse(off.httpAddress().isPresent());
            if (defaultPortFreeBefore) {
                assertTrue(refused(HttpConfig.DEFAULT_PORT), "nothing listens on 127.0.0.1:" + HttpConfig.DEFAULT_PORT);
            }
        }
    }

    private static boolean refused(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
