package io.pigateway.gateway.metrics;

import io.pigateway.gateway.testing.TestGatewayConfig;
import io.pigateway.testing.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.HttpConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** MariaDB stopped under an idle gateway: /health turns 503 with the reason, and 200 again once it is back. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HealthEndpointIT {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void healthIsUnavailableWithAReasonWhileMariaDbIsStoppedAndOkOnceItIsBack(@TempDir Path dir) throws Exception {
        TestStores db = TestStores.shared();
        assumeTrue(db.server().canStopServer(), "the database is external (PIGW_TEST_DB_HOST); this test stops only its own");
        GatewayConfig config = TestGatewayConfig.forTests(dir).withStore(db.freshSchema(dir)).withHttp(HttpConfig.loopbackAnyPort());
        try (Gateway gateway = Gateway.start(config)) {
            InetSocketAddress http = gateway.httpAddress().orElseThrow();
            try (TestDevice d = TestDevice.connect(gateway.address(), "h-1", 3)) {
                d.sendRange(1, 10, 10);
                d.awaitAck(10, WAIT);
            }
            assertEquals(200, Http.get(http, "/health").statusCode());

            long stopped;
            HttpResponse<String> down;
            db.server().stopServer();
            try {
                stopped = System.nanoTime();
                // No device sends anything: the store's prober finds out on its own.
                down = await(http, 503);
                System.out.println("/health answered 503 " + (System.nanoTime() - stopped) / 1_000_000
                        + " ms after MariaDB stopped: " + down.body().strip());
                Map<String, Double> m = Http.scrape(http);
                assertEquals(0, m.get("pigw_database_up"));
                assertEquals(1, m.get("pigw_database_outages_total"));
            } finally {
                db.server().startServer();
            }
            assertEquals("application/json", down.headers().firstValue("Content-Type").orElse(""));
            String body = down.body();
            assertTrue(body.startsWith("{\"status\":\"unavailable\",\"listener\":\"up\",\"store\":\"down\","
                    + "\"reason\":\"database unreachable since "), body);
            assertTrue(body.matches("(?s).*since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ: .+\"}\\n"), body);

            long started = System.nanoTime();
            HttpResponse<String> up = await(http, 200);
            System.out.println("/health answered 200 " + (System.nanoTime() - started) / 1_000_000
                    + " ms after MariaDB started again");
            assertEquals("{\"status\":\"ok\",\"listener\":\"up\",\"store\":\"up\"}\n", up.body());
            assertEquals(1, Http.scrape(http).get("pigw_database_up"));
            try (TestDevice d = TestDevice.connect(gateway.address(), "h-1", 3)) {
                d.sendRange(11, 20, 10);
                d.awaitAck(20, WAIT);
            }
        }
    }

    private static HttpResponse<String> await(InetSocketAddress http, int status) throws Exception {
        java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> last = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            Await.until("/health answers " + status, WAIT, () -> {
                try {
                    last.set(Http.get(http, "/health"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return last.get().statusCode() == status;
            });
        } catch (AssertionError e) {
            assertEquals(status, last.get().statusCode(), last.get().body());
        }
        return last.get();
    }
}
