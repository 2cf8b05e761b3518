package io.pigateway.client;

import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.config.GatewayAddress;
import io.pigateway.client.config.GatewayLinkConfig;
import io.pigateway.client.config.GatewayTlsConfig;
import io.pigateway.client.config.ReconnectConfig;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.common.tls.TlsProtocols;
import io.pigateway.testing.TestPki;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.TlsConfig;
import io.pigateway.testing.CapturedLog;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real sensor client over TLS to the real gateway and MariaDB. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClientTlsIT {
    static final Duration WAIT = Duration.ofSeconds(20);
    /** The gateway's certificate names only this host, so clients connect to 127.0.0.1 with a server name. */
    static final String GATEWAY_NAME = "gateway.site.test";

    @TempDir
    static Path pkiDir;
    static TestPki pki;
    static TestPki.Issued gatewayCertificate;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(pkiDir, "site");
        gatewayCertificate = pki.issue(new TestPki.Request("gateway").dns(GATEWAY_NAME).server());
    }

    static Gateway gateway(Path dir, StoreConfig store, boolean mutual) throws Exception {
        TlsConfig tls = TlsConfig.pem(gatewayCertificate.certificateFile(), gatewayCertificate.keyFile(),
                mutual ? pki.caFile() : null, TlsProtocols.DEFAULT);
        return Gateway.start(ClientToGatewayIT.gateway(dir, store, 0).withTls(tls));
    }

    /**
     * The usual test client, over TLS, with backoff from 200 ms so that failed attempts can be counted.
     * A client that is meant to be refused waits for no ACKs when it stops.
     */
    static SensorClientConfig client(String device, Gateway gateway, GatewayTlsConfig tls, Path spoolDir) {
        return client(device, gateway, tls, spoolDir, Duration.ofSeconds(10));
    }

    static SensorClientConfig refused(String device, Gateway gateway, GatewayTlsConfig tls, Path spoolDir) {
        return client(device, gateway, tls, spoolDir, Duration.ZERO);
    }

    static SensorClientConfig client(String device, Gateway gateway, GatewayTlsConfig tls, Path spoolDir,
                                     Duration ackWait) {
        SensorClientConfig base = ClientToGatewayIT.client(device,
                List.of(new GatewayAddress("127.0.0.1", gateway.address().getPort())), spoolDir);
        GatewayLinkConfig g = base.gateway();
        return new SensorClientConfig(device, new GatewayLinkConfig(g.addresses(), g.connectTimeout(), g.pingInterval(), tls),
                new ReconnectConfig(Duration.ofMillis(200), Duration.ofSeconds(1)), base.send(), base.spool(),
                ackWait, base.reportInterval(), base.sensors(), base.secret());
    }

    static void everySampledReadingIsCommittedOnce(SensorClient client, StoreConfig store, String device) throws Exception {
        until(device + ": 300 readings acknowledged", WAIT, () -> client.stats().acknowledged() > 300);
        ClientStats end = client.shutdown();
        assertEquals(0, end.pending(), "everything sampled was acknowledged before shutdown");
        assertEquals(end.sampled(), end.acknowledged());
        assertEquals(end.sampled(), ClientToGatewayIT.rows(store, device), "one row per sampled reading");
    }

    @Test
    void aClientThatTrustsTheGatewaysCaHasEverySampledReadingCommittedAndAcknowledged(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        try (Gateway g = gateway(dir, store, false);
             SensorClient client = SensorClient.start(client("tls-pi", g,
                     GatewayTlsConfig.of(pki.caFile(), null, null, GATEWAY_NAME), dir.resolve("spool")))) {
            everySampledReadingIsCommittedOnce(client, store, "tls-pi");
        }
    }

    @Test
    void aClientThatDoesNotTrustTheGatewaysCaRefusesItWithOneLineAndABackoffPerAttempt(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        TestPki other = TestPki.create(dir.resolve("other"), "other");
        try (CapturedLog log = CapturedLog.start(); Gateway g = gateway(dir, store, false);
             SensorClient client = SensorClient.start(refused("doubtful-pi", g,
                     GatewayTlsConfig.of(other.caFile(), null, null, GATEWAY_NAME), dir.resolve("spool")))) {
            log.await(WAIT, "[gateway-link]", "(attempt 3,");
            String problem = client.stats().lastProblem();
            assertTrue(problem.startsWith("gateway 127.0.0.1:" + g.address().getPort() + " TLS handshake failed: the"
                    + " peer's certificate is not issued by a trusted CA"), problem);
            assertTrue(problem.contains("next try in"), problem);
            List<String> lines = log.lines("[gateway-link]", "TLS handshake failed");
            assertTrue(lines.size() >= 3 && lines.size() <= 4, "one line per attempt: " + lines);
            assertEquals(0, client.stats().acknowledged());
            assertEquals(0, ClientToGatewayIT.rows(store, "doubtful-pi"));
        }
    }

    @Test
    void withMutualTlsADeviceHasItsReadingsCommittedOnlyUnderItsOwnName(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        TestPki.Issued m = pki.device("pi-m");
        try (Gateway g = gateway(dir, store, true)) {
            try (SensorClient own = SensorClient.start(client("pi-m", g,
                    GatewayTlsConfig.of(pki.caFile(), m.certificateFile(), m.keyFile(), GATEWAY_NAME), dir.resolve("own")))) {
                everySampledReadingIsCommittedOnce(own, store, "pi-m");
            }
            try (SensorClient borrowed = SensorClient.start(refused("pi-x", g,
                    GatewayTlsConfig.of(pki.caFile(), m.certificateFile(), m.keyFile(), GATEWAY_NAME), dir.resolve("x")))) {
                until("pi-x refused", WAIT, () -> borrowed.stats().lastProblem() != null);
                String problem = borrowed.stats().lastProblem();
                assertTrue(problem.contains("refused device pi-x: CERTIFICATE_MISMATCH (17): HELLO names device 'pi-x'"
                        + " but the client certificate was issued to CN=pi-m; not retryable"), problem);
            }
            try (SensorClient anonymous = SensorClient.start(refused("pi-anon", g,
                    GatewayTlsConfig.of(pki.caFile(), null, null, GATEWAY_NAME), dir.resolve("anon")))) {
                until("pi-anon refused", WAIT, () -> anonymous.stats().lastProblem() != null);
                String problem = anonymous.stats().lastProblem();
                assertTrue(problem.contains("TLS handshake failed: the gateway requires a client certificate issued by a"
                        + " CA it trusts"), problem);
            }
            assertEquals(0, ClientToGatewayIT.rows(store, "pi-x"));
            assertEquals(0, ClientToGatewayIT.rows(store, "pi-anon"));
        }
    }
}
