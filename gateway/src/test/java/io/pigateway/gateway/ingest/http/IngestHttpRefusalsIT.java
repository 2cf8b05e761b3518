package io.pigateway.gateway.ingest.http;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.testing.TestPki;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.IngestConfig;
import io.pigateway.gateway.config.IngestHttpConfig;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.TlsConfig;
import io.pigateway.gateway.net.GatewayTls;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The refusals that need a gateway of their own: over the rate (429), store down (503); and HTTPS. */
@Timeout(120)
class IngestHttpRefusalsIT {
    @TempDir
    Path dir;

    private static IngestConfig ingest(Duration commitTimeout, IngestHttpConfig http) {
        return IngestConfig.defaults().withCommitTimeout(commitTimeout).withHttp(http);
    }

    @Test
    void overTheDevicesRateIs429WithRetryAfterAndNothingStored() throws Exception {
        LimitsConfig limits = LimitsConfig.defaults().withMaxReadingsPerSecond(5);
        GatewayConfig config = TestGatewayConfig.forTests(dir).withLimits(limits)
                .withIngest(ingest(Duration.ofSeconds(2), IngestHttpConfig.loopbackAnyPort()));
        try (Gateway gateway = Gateway.start(config)) {
            Curl curl = new Curl(gateway.ingestHttpAddress(), dir);
            StringBuilder lines = new StringBuilder();
            long over = limits.rateBurst() + 100; // a burst at once, then 100 more would need 20 s
            for (int i = 0; i < over; i++) {
                lines.append("rate,device=pi-fast v=").append(i).append(' ').append(1_700_000_000L + i).append('\n');
            }
            Curl.Answer a = curl.post("/write?precision=s", lines.toString());
            assertEquals(429, a.status(), a.body());
            long retryAfter = Long.parseLong(a.headers().get("retry-after"));
            assertTrue(retryAfter >= 20, "the rest needs 20 s at 5 a second, not " + retryAfter);
            assertTrue(a.body().contains("over its rate of 5 a second (limits.max-readings-per-second)"), a.body());
            assertEquals(0, TestStores.shared().queryLong(config.store(), "SELECT COUNT(*) FROM readings"));
            assertEquals(204, curl.post("/write?precision=s", "rate,device=pi-slow v=1 1700000000").status(),
                    "another device has its own rate");
        }
    }

    @Test
    void whileTheStoreFailsWritesAre503WithRetryAfterAndARetryLaterIsStoredOnce() throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        GatewayConfig config = TestGatewayConfig.forTests(dir).withStore(store)
                .withIngest(ingest(Duration.ofSeconds(5), IngestHttpConfig.loopbackAnyPort()));
        try (Gateway gateway = Gateway.start(config)) {
            Curl curl = new Curl(gateway.ingestHttpAddress(), dir);
            String lines = "down,device=pi-attic v=1 1700000000\ndown,device=pi-attic v=2 1700000001\n";
            TestStores.shared().execute(store, "RENAME TABLE readings TO readings_away");
            Curl.Answer a = curl.post("/write?precision=s", lines);
            assertEquals(503, a.status(), a.body());
            assertEquals("5", a.headers().get("retry-after"));
            assertTrue(a.body().startsWith("{\"code\":\"unavailable\""), a.body());
            TestStores.shared().execute(store, "RENAME TABLE readings_away TO readings");
            Curl.Answer retry = null;
            for (int i = 0; i < 50 && (retry == null || retry.status() == 503); i++) {
                retry = curl.post("/write?precision=s", lines);
                if (retry.status() == 503) {
                    Thread.sleep(200); // the writers wait out their back-off before they try again
                }
            }
            assertEquals(204, retry.status(), retry.body());
            assertEquals(2, TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM readings"));
        }
    }

    @Test
    void aSlowBodyHoldsItsRequestSlotForAtMostTenSecondsAndMeanwhileOthersGet503() throws Exception {
        IngestHttpConfig oneAtATime = new IngestHttpConfig(true, java.net.InetAddress.getLoopbackAddress(), 0, false,
                IngestHttpConfig.DEFAULT_MAX_BODY_BYTES, 1);
        GatewayConfig config = TestGatewayConfig.forTests(dir).withIngest(ingest(Duration.ofSeconds(5), oneAtATime));
        try (Gateway gateway = Gateway.start(config)) {
            Curl curl = new Curl(gateway.ingestHttpAddress(), dir);
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 1500; i++) {
                lines.append("slow,device=pi-slow v=").append(i).append(' ').append(1_700_000_000L + i).append('\n');
            }
            long started = System.nanoTime();
            // 55 KB at 2 KB/s would take half a minute.
            java.util.concurrent.CompletableFuture<Curl.Answer> slow = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return curl.post("/write?precision=s", lines.toString(), "--limit-rate", "2K");
                        } catch (Exception e) {
                            return null; // cut off: curl reports a broken pipe
                        }
                    });
            Curl.Answer refused = null;
            while (System.nanoTime() - started < 8_000_000_000L) {
                refused = curl.post("/write?precision=s", "fast,device=pi-fast v=1 1700000000");
                if (refused.status() == 503) {
                    break;
                }
            }
            assertEquals(503, refused.status(), "while the slow body holds the only slot");
            assertEquals("1", refused.headers().get("retry-after"));
            assertTrue(refused.body().contains("(ingest.http.max-requests)"), refused.body());
            Curl.Answer cut = slow.get(25, java.util.concurrent.TimeUnit.SECONDS);
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            assertTrue(cut == null || cut.status() != 204, "the slow request was not answered 204: " + cut);
            assertTrue(seconds < 20, "cut off after " + seconds + " s, long before its 28 s of sending");
            assertEquals(0, TestStores.shared().queryLong(config.store(),
                    "SELECT COUNT(*) FROM readings WHERE device_id = 'pi-slow'"));
            assertEquals(204, curl.post("/write?precision=s", "fast,device=pi-fast v=1 1700000000").status(),
                    "the slot is free again");
        }
    }

    @Test
    void httpsUsesTheCertificateOfTheBinaryListener() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"), "site");
        TlsConfig tls = GatewayTls.issuedBy(pki, null);
        GatewayConfig config = TestGatewayConfig.forTests(dir).withTls(tls)
                .withIngest(ingest(Duration.ofSeconds(5), IngestHttpConfig.loopbackAnyPort().withTls(true)));
        try (Gateway gateway = Gateway.start(config)) {
            Curl curl = new Curl(gateway.ingestHttpAddress(), dir);
            String url = curl.url("/api/v2/write?precision=s").replace("http://", "https://");
            Curl.Answer a = curl.run(List.of("--cacert", pki.caFile().toString(), "-X", "POST", "--data-binary",
                    "tls,device=pi-attic v=1 1700000000", url));
            assertEquals(204, a.status(), a.body());
            assertEquals(1, TestStores.shared().queryLong(config.store(), "SELECT COUNT(*) FROM readings"));
        }
    }
}
