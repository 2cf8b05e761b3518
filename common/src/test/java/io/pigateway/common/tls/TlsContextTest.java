package io.pigateway.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Handshakes between a server and a client context over loopback. */
@Timeout(20)
class TlsContextTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued gateway;
    static Instant now = Instant.now();

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(dir, "site");
        gateway = pki.server("gw");
    }

    static TlsContext server(TestPki.Issued keys, TrustedCertificates clientCas, TlsProtocols protocols) throws Exception {
        return TlsContext.server(KeyMaterial.fromPem(keys.certificateFile(), keys.keyFile(), now), clientCas, protocols);
    }

    static TlsContext client(Path ca, TestPki.Issued keys, TlsProtocols protocols) throws Exception {
        return TlsContext.client(TrustedCertificates.fromPem(ca, now),
                keys == null ? null : KeyMaterial.fromPem(keys.certificateFile(), keys.keyFile(), now), protocols);
    }

    /** Runs one handshake; returns the client's negotiated protocol, or throws the client's failure. */
    static String handshake(TlsContext server, TlsContext client, String serverName) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> serverSide = CompletableFuture.runAsync(() -> {
                try (Socket plain = listener.accept(); SSLSocket tls = server.overAccepted(plain)) {
                    tls.setSoTimeout(5000);
                    tls.startHandshake(); // in TLS 1.3 the client's certificate is judged only here, after the client's handshake
                    tls.getOutputStream().write(1);
                    tls.getOutputStream().flush();
                } catch (IOException e) {
                    // the client's failure is what the test looks at
                }
            });
            Socket plain = new Socket();
            plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 5000);
            try (SSLSocket tls = client.overConnected(plain, serverName, listener.getLocalPort())) {
                tls.setSoTimeout(5000);
                tls.startHandshake();
                assertEquals(1, tls.getInputStream().read(), "the server's byte, or its refusal of our certificate");
                return tls.getSession().getProtocol();
            } finally {
                serverSide.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aClientThatTrustsTheCaConnectsWithTls13() throws Exception {
        assertEquals("TLSv1.3", handshake(server(gateway, null, TlsProtocols.DEFAULT),
                client(pki.caFile(), null, TlsProtocols.DEFAULT), "127.0.0.1"));
        assertEquals("TLSv1.3", handshake(server(gateway, null, TlsProtocols.DEFAULT),
                client(pki.caFile(), null, TlsProtocols.DEFAULT), "localhost"));
    }

    @Test
    void theProtocolsAreLimitedToTheConfiguredOnes() throws Exception {
        TlsProtocols only12 = new TlsProtocols(List.of(TlsProtocols.TLS_1_2));
        assertEquals("TLSv1.2", handshake(server(gateway, null, TlsProtocols.DEFAULT),
                client(pki.caFile(), null, only12), "127.0.0.1"));
        TlsProtocols only13 = new TlsProtocols(List.of(TlsProtocols.TLS_1_3));
        SSLException e = assertThrows(SSLException.class, () -> handshake(server(gateway, null, only13),
                client(pki.caFile(), null, only12), "127.0.0.1"));
        assertTrue(TlsFailures.describe(e).startsWith("no TLS version in common"), TlsFailures.describe(e));
    }

    @Test
    void aClientThatDoesNotTrustTheServersCaRefusesIt() throws Exception {
        TestPki other = TestPki.create(dir.resolve("other"), "other");
        SSLException e = assertThrows(SSLException.class, () -> handshake(server(gateway, null, TlsProtocols.DEFAULT),
                client(other.caFile(), null, TlsProtocols.DEFAULT), "127.0.0.1"));
        assertTrue(TlsFailures.describe(e).startsWith("the peer's certificate is not issued by a trusted CA"),
                TlsFailures.describe(e));
    }

    @Test
    void theServersCertificateMustNameTheAddressUnlessAServerNameIsGiven() throws Exception {
        TestPki.Issued named = pki.issue(new TestPki.Request("gw").dns("gw.example").server());
        TlsContext server = server(named, null, TlsProtocols.DEFAULT);
        SSLException e = assertThrows(SSLException.class,
                () -> handshake(server, client(pki.caFile(), null, TlsProtocols.DEFAULT), "127.0.0.1"));
        assertTrue(TlsFailures.describe(e).startsWith("the peer's certificate does not name the address connected to"),
                TlsFailures.describe(e));
        assertEquals("TLSv1.3", handshake(server, client(pki.caFile(), null, TlsProtocols.DEFAULT), "gw.example"));
    }

    @Test
    void withClientCasTheServerRequiresAClientCertificateIssuedByThem() throws Exception {
        TrustedCertificates cas = TrustedCertificates.fromPem(pki.caFile(), now);
        TlsContext server = server(gateway, cas, TlsProtocols.DEFAULT);
        assertTrue(server.requiresClientCertificates());
        assertEquals("TLSv1.3", handshake(server, client(pki.caFile(), pki.device("pi-1"), TlsProtocols.DEFAULT),
                "127.0.0.1"));
        // In TLS 1.3 the client's handshake ends before the server has judged its certificate; the
        // refusal arrives with the next read.
        SSLException none = assertThrows(SSLException.class,
                () -> handshake(server, client(pki.caFile(), null, TlsProtocols.DEFAULT), "127.0.0.1"));
        assertTrue(TlsFailures.describe(none).startsWith("the gateway requires a client certificate issued by a CA it"
                + " trusts; this client has none, or one from another CA"), TlsFailures.describe(none));
        TestPki other = TestPki.create(dir.resolve("strangers"), "strangers");
        SSLException stranger = assertThrows(SSLException.class,
                () -> handshake(server, client(pki.caFile(), other.device("pi-1"), TlsProtocols.DEFAULT), "127.0.0.1"));
        assertEquals(TlsFailures.describe(none), TlsFailures.describe(stranger),
                "a certificate from a CA the server did not name is not even offered");
    }

    @Test
    void describeNamesProtocolsCertificateAndTrust() throws Exception {
        TlsContext s = server(gateway, TrustedCertificates.fromPem(pki.caFile(), now), TlsProtocols.DEFAULT);
        assertTrue(s.describe().startsWith("TLSv1.3, TLSv1.2; certificate CN=gw (DNS:localhost, IP:127.0.0.1,"
                + " IP:0:0:0:0:0:0:0:1) issued by CN=site CA, valid until "), s.describe());
        assertTrue(s.describe().endsWith("; client certificates required, issued by CN=site CA"), s.describe());
    }
}
