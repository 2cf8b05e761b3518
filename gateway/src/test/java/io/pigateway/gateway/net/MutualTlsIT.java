package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.testing.TestPki;
import io.pigateway.gateway.config.TlsConfig;
import io.pigateway.testing.CapturedLog;
import io.pigateway.testing.TestDevice;
import io.pigateway.testing.TestTls;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS: only clients with a certificate from the site CA get in, and a HELLO's device id must
 * be a name in the client's certificate. After every refusal a good device still has every reading
 * committed and acknowledged.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MutualTlsIT {
    static final Duration WAIT = Duration.ofSeconds(15);
    static final AtomicLong STREAM = new AtomicLong(100);

    @TempDir
    static Path dir;
    static TestPki pki;
    static TlsConfig tls;
    @AutoClose
    static RunningGateway gateway;
    @RegisterExtension
    final CapturedLog log = CapturedLog.eachTest();

    @BeforeAll
    static void startGateway() throws Exception {
        pki = TestPki.create(dir.resolve("pki"), "site");
        tls = GatewayTls.issuedBy(pki, pki.caFile());
        gateway = RunningGateway.start(dir, c -> c.withTls(tls));
    }

    static SSLContext as(String deviceId) throws Exception {
        return TestTls.client(pki.caFile(), pki.device(deviceId));
    }

    static void aGoodDeviceGetsEveryReadingCommitted(RunningGateway g, String device) throws Exception {
        g.assertEveryReadingCommitted(TestDevice.connectTls(g.address(), as(device), device, STREAM.incrementAndGet()),
                device, 1000);
    }

    @Test
    void aDeviceWithItsOwnCertificateHasItsReadingsCommittedAndAcknowledged() throws Exception {
        aGoodDeviceGetsEveryReadingCommitted(gateway, "pi-good");
        assertEquals(1, log.lines("device pi-good", "connected (TLSv1.3 as CN=pi-good)").size(), log.lines("pi-good").toString());
    }

    @Test
    void aDeviceNamedByADnsNameInItsCertificateIsAccepted() throws Exception {
        TestPki.Issued byDns = pki.issue(new TestPki.Request("greenhouse sensor").dns("pi-greenhouse").client());
        try (TestDevice d = TestDevice.connectTls(gateway.address(), TestTls.client(pki.caFile(), byDns), "pi-greenhouse", 5)) {
            d.sendRange(1, 10, 10);
            assertEquals(10, d.awaitAck(10, WAIT));
        }
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        assertThrows(IOException.class, () -> TestDevice.connectTls(gateway.address(),
                TestTls.client(pki.caFile(), null), "pi-anonymous", 1));
        List<String> lines = log.await(WAIT, "TLS handshake failed: the client sent no certificate");
        assertEquals(1, lines.size(), lines.toString());
        aGoodDeviceGetsEveryReadingCommitted(gateway, "after-anonymous");
    }

    @Test
    void aClientCertificateFromAnUntrustedCaIsRefused() throws Exception {
        TestPki stranger = TestPki.create(dir.resolve("stranger"), "stranger");
        SSLContext strangerClient = TestTls.client(pki.caFile(), stranger.device("pi-stranger"));
        assertThrows(IOException.class, () -> TestDevice.connectTls(gateway.address(), strangerClient, "pi-stranger", 1));
        List<String> lines = log.await(WAIT, "TLS handshake failed: the peer's certificate is not issued by a trusted CA");
        assertEquals(1, lines.size(), lines.toString());
        assertEquals(0, gateway.rows("pi-stranger"));
        aGoodDeviceGetsEveryReadingCommitted(gateway, "after-stranger");
    }

    @Test
    void aCertificateForDeviceAUsedForDeviceBGetsCertificateMismatchAndLeavesBAlone() throws Exception {
        try (TestDevice b = TestDevice.connectTls(gateway.address(), as("pi-b"), "pi-b", 21)) {
            b.sendRange(1, 100, 50);
            assertEquals(100, b.awaitAck(100, WAIT));

            try (TestDevice impostor = TestDevice.openTls(gateway.address(), as("pi-a"))) {
                impostor.send(new Message.Hello("pi-b", System.currentTimeMillis(), 22));
                Message.Nack n = impostor.awaitNack(WAIT);
                assertEquals(NackCode.CERTIFICATE_MISMATCH, n.nackCode());
                assertEquals("HELLO names device 'pi-b' but the client certificate was issued to CN=pi-a", n.reason());
                assertTrue(impostor.closedByGateway(Duration.ofSeconds(2)));
                List<String> lines = log.await(WAIT, ":" + impostor.localPort() + ":", "CERTIFICATE_MISMATCH");
                Thread.sleep(200);
                assertEquals(1, log.lines("CERTIFICATE_MISMATCH").size(), lines.toString());
                assertTrue(lines.getFirst().contains("peer 127.0.0.1:" + impostor.localPort()), lines.getFirst());
            }

            b.sendRange(101, 200, 50); // the real pi-b was not replaced by the impostor
            assertEquals(200, b.awaitAck(200, WAIT));
        }
        assertEquals(200, gateway.rows("pi-b"));
        aGoodDeviceGetsEveryReadingCommitted(gateway, "after-impostor");
    }

    @Test
    void overTls13ANewConnectionReplacesTheOldOneWhichIsToldSo() throws Exception {
        try (TestDevice first = TestDevice.connectTls(gateway.address(), as("pi-twice"), "pi-twice", 31)) {
            first.sendRange(1, 100, 50);
            assertEquals(100, first.awaitAck(100, WAIT));
            try (TestDevice second = TestDevice.connectTls(gateway.address(), as("pi-twice"), "pi-twice", 32)) {
                Message.Nack n = first.awaitNack(WAIT);
                assertEquals(NackCode.REPLACED, n.nackCode());
                second.sendRange(1, 100, 50);
                assertEquals(100, second.awaitAck(100, WAIT));
            }
        }
    }

    @Test
    void onShutdownATls13ClientHasWhatItSentAcknowledgedAndIsToldShuttingDown(@TempDir Path own) throws Exception {
        RunningGateway g = RunningGateway.start(own, c -> c.withTls(tls));
        try (TestDevice d = TestDevice.connectTls(g.address(), as("pi-stop"), "pi-stop", 41)) {
            d.sendRange(1, 2000, 100);
            d.awaitAck(500, WAIT);
            Thread.ofVirtual().start(g::close);
            Message.Nack n = d.awaitNack(WAIT);
            assertEquals(NackCode.SHUTTING_DOWN, n.nackCode());
            assertTrue(d.lastAck() >= 500, "acknowledged before the NACK: " + d.lastAck());
            assertTrue(g.rows("pi-stop") >= d.lastAck(), "every acknowledged reading is committed");
        } finally {
            g.close();
        }
    }
}
