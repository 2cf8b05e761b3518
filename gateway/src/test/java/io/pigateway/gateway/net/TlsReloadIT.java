package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.tls.TlsProtocols;
import io.pigateway.testing.TestPki;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pigateway.gateway.config.AccessToken;
import io.pigateway.gateway.config.HttpConfig;
import io.pigateway.gateway.config.TlsConfig;
import io.pigateway.testing.CapturedLog;
import io.pigateway.testing.TestDevice;
import io.pigateway.testing.TestTls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload (what SIGHUP runs, see ReloadIT for the signal itself) reads the TLS key and certificate
 * again: a TLS client that connects afterwards is shown the new certificate, a connection made before
 * keeps streaming, the status page names the new certificate, and a new key that does not load leaves
 * the set loaded before in use, with one ERROR line naming the file.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsReloadIT {
    static final Duration WAIT = Duration.ofSeconds(15);
    static final String TOKEN = "status-token-0123456789abcdef";

    @Test
    void aReloadServesTheNewCertificateToNewClientsKeepsOldConnectionsAndKeepsTheOldSetIfTheNewKeyIsBroken(
            @TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"), "site");
        Path certificate = dir.resolve("gateway.pem");
        Path key = dir.resolve("gateway.key");
        install(pki.server("gateway-one"), certificate, key);
        TlsConfig tls = TlsConfig.pem(certificate, key, null, TlsProtocols.DEFAULT);
        SSLContext trusting = TestTls.client(pki.caFile(), null);
        try (CapturedLog log = CapturedLog.start();
             RunningGateway gateway = RunningGateway.startEmbedded(dir, c -> c.withTls(tls)
                     .withHttp(HttpConfig.loopbackAnyPort().withToken(new AccessToken(TOKEN))));
             TestDevice before = TestDevice.connectTls(gateway.address(), trusting, "connected-before", 1)) {
            assertEquals("gateway-one", serverName(before));
            assertTrue(statusTls(gateway).contains("CN=gateway-one"), statusTls(gateway));
            before.sendRange(1, 10, 10);
            assertEquals(10, before.awaitAck(10, WAIT));

            install(pki.server("gateway-two"), certificate, key);
            gateway.gateway.reload();
            log.await(WAIT, "reloaded the TLS key and certificates");
            try (TestDevice after = TestDevice.connectTls(gateway.address(), trusting, "connected-after", 1)) {
                assertEquals("gateway-two", serverName(after), "a new handshake gets the new certificate");
                assertTrue(statusTls(gateway).contains("CN=gateway-two"), "the status page shows the new certificate: "
                        + statusTls(gateway));
                after.sendRange(1, 10, 10);
                assertEquals(10, after.awaitAck(10, WAIT));
            }
            before.sendRange(11, 20, 10);
            assertEquals(20, before.awaitAck(20, WAIT), "a connection made before the reload keeps streaming");

            // The key of another certificate: it does not match gateway.pem, so the new set does not load.
            TestPki.Issued third = pki.server("gateway-three");
            writePrivate(key, Files.readString(third.keyFile()));
            gateway.gateway.reload();
            List<String> lines = log.await(WAIT, "keeping the TLS key and certificates loaded before");
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.getFirst().contains("ERROR") && lines.getFirst().contains(key.toString()), lines.getFirst());
            try (TestDevice later = TestDevice.connectTls(gateway.address(), trusting, "connected-later", 1)) {
                assertEquals("gateway-two", serverName(later), "the set loaded before stays in use");
                assertTrue(statusTls(gateway).contains("CN=gateway-two"), statusTls(gateway));
                later.sendRange(1, 10, 10);
                assertEquals(10, later.awaitAck(10, WAIT));
            }
        }
    }

    /** The status page's TLS line, as /status.json gives it. */
    private static String statusTls(RunningGateway gateway) throws Exception {
        int port = gateway.gateway.httpAddress().orElseThrow().getPort();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status.json"))
                .header("Authorization", "Bearer " + TOKEN).timeout(WAIT).build();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            return new ObjectMapper().readTree(response.body()).findValue("tlsSummary").asText();
        }
    }

    private static String serverName(TestDevice device) throws IOException {
        X509Certificate served = (X509Certificate) ((SSLSocket) device.socket()).getSession().getPeerCertificates()[0];
        return served.getSubjectX500Principal().getName().replaceAll("^CN=([^,]+),.*$", "$1");
    }

    /** Puts an issued certificate and key where the configuration points, as an operator renewing them would. */
    private static void install(TestPki.Issued issued, Path certificate, Path key) throws IOException {
        Files.copy(issued.certificateFile(), certificate, StandardCopyOption.REPLACE_EXISTING);
        writePrivate(key, Files.readString(issued.keyFile()));
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(tmp, content);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
