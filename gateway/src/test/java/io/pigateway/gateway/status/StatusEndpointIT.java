package io.pigateway.gateway.status;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.AccessToken;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.HttpConfig;
import io.pigateway.testing.TestDevice;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page on a running gateway's HTTP endpoint (embedded store): its paths, its files served
 * from the jar (uPlot included, no CDN), and the access token, which guards every path but /health.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatusEndpointIT {
    static final String TOKEN = "status-token-0123456789abcdef";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    @TempDir
    static Path dir;
    static Gateway gateway;
    static InetSocketAddress http;

    @BeforeAll
    static void start() throws Exception {
        gateway = Gateway.start(TestGatewayConfig.forTests(dir)
                .withHttp(HttpConfig.loopbackAnyPort().withToken(new AccessToken(TOKEN))));
        http = gateway.httpAddress().orElseThrow();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.getPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutTheTokenOnlyHealthAnswers() throws Exception {
        for (String path : new String[] {"/", "/status", "/status.json", "/metrics", "/status/static/status.js"}) {
            HttpResponse<String> r = get(path);
            assertEquals(401, r.statusCode(), path);
            assertFalse(r.body().contains(TOKEN));
        }
        assertEquals(401, get("/status.json", "Authorization", "Bearer wrong-token-0123456789").statusCode());
        assertEquals(401, get("/status.json", "Cookie", "pigw_token=wrong-token-0123456789").statusCode());
        assertEquals(200, get("/health").statusCode());
    }

    @Test
    void aBearerTokenOpensEveryPath() throws Exception {
        String[] auth = {"Authorization", "Bearer " + TOKEN};
        HttpResponse<String> page = get("/", auth);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(page.body().contains("<table id=\"devices\""));
        assertTrue(page.body().contains("/status/static/uPlot.min.js"), "uPlot comes from the gateway itself");
        assertFalse(page.body().contains("https://"), "nothing is loaded from the internet");
        assertFalse(page.body().contains(TOKEN));
        assertEquals(200, get("/status", auth).statusCode());
        assertEquals(200, get("/metrics", auth).statusCode());
        HttpResponse<String> uplot = get("/status/static/uPlot.min.js", auth);
        assertEquals(200, uplot.statusCode());
        assertTrue(uplot.body().contains("uPlot"), "the WebJar's file");
        assertEquals(200, get("/status/static/uPlot.min.css", auth).statusCode());
        assertEquals(200, get("/status/static/status.css", auth).statusCode());
        assertEquals(404, get("/status/static/nothing.js", auth).statusCode());
    }

    @Test
    void aTokenInTheAddressSetsACookieAndIsDroppedFromTheAddress() throws Exception {
        HttpResponse<String> r = get("/?token=" + TOKEN + "&state=fresh");
        assertEquals(303, r.statusCode());
        assertEquals("/?state=fresh", r.headers().firstValue("Location").orElseThrow());
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        assertEquals(200, get("/status.json", "Cookie", cookie.substring(0, cookie.indexOf(';'))).statusCode());
    }

    @Test
    void aDeviceShowsUpFreshWithItsAddressAndStream() throws Exception {
        try (TestDevice d = TestDevice.connect(gateway.address(), "status-it-1", 0x77)) {
            d.sendRange(1, 20, 10);
            d.awaitAck(20, Duration.ofSeconds(10));
            JsonNode device = null;
            for (JsonNode n : JSON.readTree(get("/status.json", "Authorization", "Bearer " + TOKEN).body()).get("devices")) {
                if (n.get("id").asText().equals("status-it-1")) {
                    device = n;
                }
            }
            assertTrue(device != null, "listed");
            assertEquals("fresh", device.get("state").asText());
            assertTrue(device.get("connected").asBoolean());
            assertEquals("119", device.get("stream").asText());
            assertTrue(device.get("address").asText().startsWith("127.0.0.1:"), device.toString());
        }
    }
}
