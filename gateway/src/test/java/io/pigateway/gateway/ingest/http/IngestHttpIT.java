package io.pigateway.gateway.ingest.http;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.SecretFile;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.auth.DeviceSecrets;
import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.IngestConfig;
import io.pigateway.gateway.config.IngestHttpConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.ingest.IngestKeys;
import io.pigateway.gateway.testing.TestStores;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every path and every error of the ingest HTTP server, driven by curl against a gateway with device
 * secrets over the embedded store; success is checked by counting rows right after the answer.
 */
@Timeout(120)
class IngestHttpIT {
    static final String ATTIC_SECRET = "attic-secret-0123456789";
    static final String CELLAR_SECRET = "cellar-secret-0123456789";
    static final int MAX_BODY = 64 * 1024;

    @TempDir
    static Path dir;
    static Gateway gateway;
    static StoreConfig store;
    static Curl curl;

    /** Devices pi-attic and pi-cellar with their secrets, in a devices file in {@code dir}. */
    static AuthConfig deviceSecrets(Path dir) throws Exception {
        Path devices = dir.resolve("devices");
        Files.writeString(devices, "pi-attic " + ATTIC_SECRET + "\npi-cellar " + CELLAR_SECRET + "\n");
        Files.setPosixFilePermissions(devices, PosixFilePermissions.fromString("rw-------"));
        return AuthConfig.secrets(devices, DeviceSecrets.load(SecretFile.at(devices)));
    }

    @BeforeAll
    static void start() throws Exception {
        GatewayConfig config = TestGatewayConfig.forTests(dir).withAuth(deviceSecrets(dir)).withIngest(IngestConfig.defaults()
                .withHttp(IngestHttpConfig.loopbackAnyPort().withMaxBodyBytes(MAX_BODY)));
        store = config.store();
        gateway = Gateway.start(config);
        curl = new Curl(gateway.ingestHttpAddress(), dir);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    static long rows(String where, Object... params) throws Exception {
        return TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM readings WHERE " + where, params);
    }

    static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    @Test
    void v1WriteIsAnswered204OnlyWithTheRowsStoredAndARetryWithTimesAddsNone() throws Exception {
        String lines = "v1,device=pi-attic temp=21.5,hum=40i 1700000000\nv1,device=pi-attic temp=21.75 1700000001\n";
        Curl.Answer a = curl.post("/write?db=x&precision=s&u=pi-attic&p=" + ATTIC_SECRET, lines);
        assertEquals(204, a.status(), a.toString());
        assertEquals(3, rows("device_id = 'pi-attic' AND sensor LIKE 'v1.%'"), "stored when 204 came");
        assertEquals(1, TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM readings WHERE sensor = 'v1.temp'"
                + " AND stream_id = ? AND seq = 1700000001000000000", IngestKeys.timedStream("v1.temp")));

        assertEquals(204, curl.post("/write?db=x&precision=s&u=pi-attic&p=" + ATTIC_SECRET, lines).status());
        assertEquals(3, rows("device_id = 'pi-attic' AND sensor LIKE 'v1.%'"), "the retry found its keys stored");

        Curl.Answer basic = curl.post("/write?db=x&precision=ms", "v1basic value=1 1700000000000",
                "-u", "pi-attic:" + ATTIC_SECRET);
        assertEquals(204, basic.status(), "Basic auth; a line without device tag is the credentials' device");
        assertEquals(1, rows("device_id = 'pi-attic' AND sensor = 'v1basic.value'"));
    }

    @Test
    void v2WriteTakesATokenAndGzipAndLinesWithoutTimeAreStampedAndStoredAgainOnRetry() throws Exception {
        String body = "v2,host=pi-cellar,unit=C temp=12.5\nv2,host=pi-cellar on=true\nv2,host=pi-cellar note=\"x\"\n";
        String[] token = {"-H", "Authorization: Token pi-cellar:" + CELLAR_SECRET, "-H", "Content-Encoding: gzip"};
        long before = System.currentTimeMillis();
        Curl.Answer a = curl.post("/api/v2/write?org=home&bucket=pi&precision=ns", gzip(body), token);
        assertEquals(204, a.status(), a.toString());
        assertEquals(2, rows("device_id = 'pi-cellar' AND sensor LIKE 'v2.%'"), "the string field is skipped");
        assertEquals(1, rows("device_id = 'pi-cellar' AND sensor = 'v2.on' AND value = 1"));
        assertEquals(1, TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM sensors WHERE device_id ="
                + " 'pi-cellar' AND sensor = 'v2.temp' AND unit = 'C'"));
        assertEquals(2, rows("device_id = 'pi-cellar' AND sensor LIKE 'v2.%' AND device_time >= ?",
                new java.sql.Timestamp(before - 1000)), "stamped with the arrival time");

        assertEquals(204, curl.post("/api/v2/write?org=home&bucket=pi", gzip(body), token).status());
        assertEquals(4, rows("device_id = 'pi-cellar' AND sensor LIKE 'v2.%'"), "without times a retry duplicates");
    }

    @Test
    void aBatchWithOneBadLineIsRefusedWhole400NamingTheLine() throws Exception {
        String body = "bad,device=pi-attic v=1 1700000000\nbad,device=pi-attic v=oops 1700000001\n";
        Curl.Answer a = curl.post("/write?precision=s&u=pi-attic&p=" + ATTIC_SECRET, body);
        assertEquals(400, a.status());
        assertTrue(a.body().startsWith("{\"code\":\"invalid\",\"message\":\"line 2: field 'v' has value 'oops'"), a.body());
        assertTrue(a.body().contains("nothing of this request was stored") && a.body().contains("\"line\":2"), a.body());
        assertEquals("application/json; charset=utf-8", a.headers().get("content-type"));
        assertEquals(0, rows("sensor = 'bad.v'"), "the good first line was not stored either");

        assertEquals(400, curl.post("/write?precision=fortnight&u=pi-attic&p=" + ATTIC_SECRET, "m v=1").status());
        Curl.Answer badName = curl.post("/write?u=pi-attic&p=" + ATTIC_SECRET, "m,device=pi-attic v\\ x=1");
        assertEquals(400, badName.status());
        assertTrue(badName.body().contains("line 1: sensor name 'm.v x' contains character U+0020"), badName.body());
    }

    @Test
    void bodiesOverTheLimitAre413WhetherDeclaredChunkedOrInflated() throws Exception {
        String big = "big,device=pi-attic v=1\n".repeat(MAX_BODY / 24 + 10);
        String auth = "/write?u=pi-attic&p=" + ATTIC_SECRET;
        Curl.Answer declared = curl.post(auth, big);
        assertEquals(413, declared.status());
        assertTrue(declared.body().contains("the body is " + big.length() + " bytes (Content-Length); at most "
                + MAX_BODY + " are allowed (ingest.http.max-body-bytes)"), declared.body());
        Curl.Answer chunked = curl.post(auth, big, "-H", "Transfer-Encoding: chunked");
        assertEquals(413, chunked.status(), chunked.body());
        byte[] bomb = gzip("big,device=pi-attic v=1\n".repeat(MAX_BODY / 24 * 40));
        assertTrue(bomb.length < MAX_BODY);
        Curl.Answer inflated = curl.post(auth, bomb, "-H", "Content-Encoding: gzip");
        assertEquals(413, inflated.status());
        assertTrue(inflated.body().contains("the body inflates (gzip) to more than " + MAX_BODY + " bytes"), inflated.body());
        Curl.Answer notGzip = curl.post(auth, "m v=1", "-H", "Content-Encoding: gzip");
        assertEquals(400, notGzip.status(), notGzip.body());
        assertTrue(notGzip.body().contains("the body is not gzip"), notGzip.body());
        assertEquals(0, rows("sensor = 'big.v'"));
    }

    @Test
    void badCredentialsAre401AndAnotherDevicesReadings403() throws Exception {
        String line = "auth,device=pi-attic v=1 1700000000";
        Curl.Answer wrong = curl.post("/write?precision=s&u=pi-attic&p=nope", line);
        assertEquals(401, wrong.status());
        assertTrue(wrong.body().contains("unknown device or wrong secret"), wrong.body());
        assertEquals(401, curl.post("/write?precision=s", line).status(), "no credentials");
        assertEquals(401, curl.post("/api/v2/write?precision=s", line, "-H", "Authorization: Token "
                + ATTIC_SECRET).status(), "a token without device id");
        assertEquals(401, curl.post("/write?precision=s&u=pi-nobody&p=" + ATTIC_SECRET, line).status());
        Curl.Answer other = curl.post("/api/v2/write?precision=s", line + "\nauth,device=pi-cellar v=2 1700000000",
                "-H", "Authorization: Token pi-attic:" + ATTIC_SECRET);
        assertEquals(403, other.status());
        assertTrue(other.body().contains("the credentials are those of device pi-attic, the readings are of device"
                + " pi-cellar"), other.body());
        assertEquals(0, rows("sensor = 'auth.v'"));
    }

    @Test
    void aWrongSecretAgainIsAnsweredLaterUntilTheRightOneComes() throws Exception {
        String line = "penalty,device=pi-cellar v=1 1700000000";
        assertEquals(401, curl.post("/write?precision=s&u=pi-cellar&p=nope", line).status());
        long started = System.nanoTime();
        assertEquals(401, curl.post("/write?precision=s&u=pi-cellar&p=nope", line).status());
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(waitedMillis >= 250, "the second failure's answer waited " + waitedMillis + " ms");
        assertEquals(204, curl.post("/write?precision=s&u=pi-cellar&p=" + CELLAR_SECRET, line).status(),
                "the right secret still gets in, after its wait, and clears the count");
        assertEquals(1, rows("sensor = 'penalty.v'"));
    }

    @Test
    void aKeyStoredWithAnotherValueIs409() throws Exception {
        String auth = "/write?precision=s&u=pi-attic&p=" + ATTIC_SECRET;
        assertEquals(204, curl.post(auth, "clash v=1 1700000000").status());
        Curl.Answer a = curl.post(auth, "clash v=2 1700000000");
        assertEquals(409, a.status(), a.body());
        assertEquals(1, rows("sensor = 'clash.v'"));
    }

    @Test
    void jsonReadingsWithStreamAndSeqAreStoredExactlyOnce() throws Exception {
        String body = "{\"readings\":[{\"sensor\":\"json.temp\",\"value\":21.5,\"ts\":1700000000000,\"unit\":\"C\","
                + "\"stream\":7,\"seq\":1},{\"sensor\":\"json.temp\",\"value\":21.6,\"ts\":1700000001000,\"stream\":7,\"seq\":2},"
                + "{\"sensor\":\"json.door\",\"value\":true}]}";
        String[] auth = {"-H", "Authorization: Token pi-attic:" + ATTIC_SECRET, "-H", "Content-Type: application/json"};
        Curl.Answer a = curl.post("/v1/readings", body, auth);
        assertEquals(200, a.status(), a.body());
        assertEquals("{\"stored\":3}\n", a.body());
        assertEquals(1, rows("device_id = 'pi-attic' AND stream_id = 7 AND seq = 2 AND value = 21.6"));
        assertEquals(200, curl.post("/v1/readings", body, auth).status());
        assertEquals(2, rows("device_id = 'pi-attic' AND stream_id = 7"), "stream + seq: a retry adds nothing");
        assertEquals(2, rows("device_id = 'pi-attic' AND sensor = 'json.door'"), "untimed without key: stored again");

        Curl.Answer unknown = curl.post("/v1/readings", "{\"readings\":[{\"sensor\":\"s\",\"valeu\":1}]}", auth);
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().contains("readings[0]: unknown member \\\"valeu\\\""), unknown.body());
        Curl.Answer half = curl.post("/v1/readings", "{\"readings\":[{\"sensor\":\"s\",\"value\":1,\"seq\":3}]}", auth);
        assertTrue(half.body().contains("\\\"stream\\\" and \\\"seq\\\" go together"), half.body());
        Curl.Answer noTime = curl.post("/v1/readings", "{\"readings\":[{\"sensor\":\"s\",\"value\":1,\"stream\":1,"
                + "\"seq\":3}]}", auth);
        assertTrue(noTime.body().contains("need \\\"ts\\\""), noTime.body());
        assertEquals(400, curl.post("/v1/readings", "{\"readings\":[", auth).status());
        Curl.Answer other = curl.post("/v1/readings", "{\"device\":\"pi-cellar\",\"readings\":[]}", auth);
        assertEquals(403, other.status(), other.body());
    }

    @Test
    void otherPathsAndMethodsAreRefusedAndPingAnswers() throws Exception {
        assertEquals(404, curl.post("/query", "q=CREATE DATABASE x").status());
        Curl.Answer get = curl.run(List.of(curl.url("/write")));
        assertEquals(405, get.status());
        assertEquals("POST", get.headers().get("allow"));
        assertEquals(204, curl.run(List.of(curl.url("/ping"))).status());
        Curl.Answer health = curl.run(List.of(curl.url("/health")));
        assertEquals(200, health.status(), "Tasmota's v2 check wants 200");
        assertTrue(health.body().contains("\"status\":\"pass\""), health.body());
        assertEquals(200, curl.run(List.of(curl.url("/ping?verbose=true"))).status(), "Tasmota's v1 check");
    }
}
