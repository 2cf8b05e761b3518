package io.pigateway.common.tls;

import io.pigateway.common.ConfigException;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * One side's TLS set-up, built once at start-up: an {@link SSLContext} from checked key and trust
 * material, and the protocols every socket is limited to. It layers TLS over sockets that are
 * already connected, so the caller keeps the plain socket for what TLS cannot do from another
 * thread (shutting input down) and the handshake runs where and when the caller decides.
 */
public final class TlsContext {
    /** The JSSE system property that turns client-initiated renegotiation into a handshake_failure alert. */
    public static final String REJECT_CLIENT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    private final SSLContext context;
    private final TlsProtocols protocols;
    private final boolean server;
    private final boolean clientCertificates;
    private final KeyMaterial keys;
    private final TrustedCertificates trust;

    private TlsContext(SSLContext context, TlsProtocols protocols, boolean server, boolean clientCertificates,
                       KeyMaterial keys, TrustedCertificates trust) {
        this.context = context;
        this.protocols = protocols;
        this.server = server;
        this.clientCertificates = clientCertificates;
        this.keys = keys;
        this.trust = trust;
    }

    /**
     * A server with {@code keys}; with {@code clientCas} non-null, clients must present a certificate
     * issued by one of them (mutual TLS).
     */
    public static TlsContext server(KeyMaterial keys, TrustedCertificates clientCas, TlsProtocols protocols)
            throws ConfigException {
        refuseClientRenegotiation();
        return new TlsContext(build(keys, clientCas), protocols, true, clientCas != null, keys, clientCas);
    }

    /**
     * Makes every TLS server in this JVM refuse a renegotiation the client starts (TLS 1.2; TLS 1.3 has
     * none): each one costs the server a full handshake, so a client could keep the CPU busy with them
     * on one connection, and the gateway never needs one. JSSE reads the property once, when its first
     * server handshake begins, so it is set here, before any server socket exists.
     */
    static void refuseClientRenegotiation() {
        System.setProperty(REJECT_CLIENT_RENEGOTIATION, "true");
    }

    /** A client that trusts servers certified by {@code cas}; with {@code keys} non-null it can prove who it is. */
    public static TlsContext client(TrustedCertificates cas, KeyMaterial keys, TlsProtocols protocols)
            throws ConfigException {
        return new TlsContext(build(keys, cas), protocols, false, keys != null, keys, cas);
    }

    private static SSLContext build(KeyMaterial keys, TrustedCertificates trust) throws ConfigException {
        try {
            KeyManager[] keyManagers = null;
            if (keys != null) {
                // The store lives only in this method; its password protects nothing, but PKCS#12 wants one.
                char[] password = UUID.randomUUID().toString().toCharArray();
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("key", keys.key(), password, keys.chain().toArray(X509Certificate[]::new));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
                kmf.init(store, password);
                keyManagers = kmf.getKeyManagers();
            }
            TrustManager[] trustManagers = null;
            if (trust != null) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (X509Certificate ca : trust.certificates()) {
                    store.setCertificateEntry("ca-" + i++, ca);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
                tmf.init(store);
                trustManagers = tmf.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** TLS over a socket the server accepted; the handshake starts with the first read or write, or explicitly. */
    public SSLSocket overAccepted(Socket plain) throws IOException {
        if (!server) {
            throw new IllegalStateException("a client context cannot serve");
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
        tls.setUseClientMode(false);
        SSLParameters p = tls.getSSLParameters();
        p.setProtocols(protocols.array());
        p.setNeedClientAuth(clientCertificates);
        tls.setSSLParameters(p);
        return tls;
    }

    /**
     * TLS over a socket connected to a server. The server's certificate must name {@code serverName}
     * (a host name, checked against its DNS names, or an IP address, checked against its IP
     * addresses), as HTTPS clients check it; a host name is also sent as SNI.
     */
    public SSLSocket overConnected(Socket plain, String serverName, int port) throws IOException {
        if (server) {
            throw new IllegalStateException("a server context cannot connect");
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, serverName, port, true);
        tls.setUseClientMode(true);
        SSLParameters p = tls.getSSLParameters();
        p.setProtocols(protocols.array());
        p.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(p);
        return tls;
    }

    /**
     * The SSL context and, from {@link #serverParameters()}, the settings {@link #overAccepted} applies:
     * for a server that makes its own TLS sockets (the JDK's HttpsServer for the ingest HTTP input).
     */
    public SSLContext sslContext() {
        return context;
    }

    /** The protocols and client-certificate demand of {@link #overAccepted}, as {@link SSLParameters}. */
    public SSLParameters serverParameters() {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(protocols.array());
        p.setNeedClientAuth(clientCertificates);
        return p;
    }

    /**
     * For a library that opens its own sockets (the MQTT client): a factory whose sockets have this
     * client context's protocols and check the server's name as {@link #overConnected} does.
     */
    public javax.net.ssl.SSLSocketFactory clientSocketFactory() {
        if (server) {
            throw new IllegalStateException("a server context cannot connect");
        }
        return new ClientSocketFactory(context.getSocketFactory(), protocols);
    }

    public boolean requiresClientCertificates() {
        return server && clientCertificates;
    }

    public TlsProtocols protocols() {
        return protocols;
    }

    /** Certificates that expire within 30 days, have expired (CAs) or are not valid yet. */
    public List<String> warnings(Instant now) {
        List<String> warnings = new ArrayList<>();
        if (keys != null) {
            warnings.addAll(keys.warnings(now));
        }
        if (trust != null) {
            warnings.addAll(trust.warnings(now));
        }
        return warnings;
    }

    /** One line for start-up logs and check-config. */
    public String describe() {
        StringBuilder b = new StringBuilder(protocols.toString());
        if (keys != null) {
            X509Certificate own = keys.certificate();
            b.append("; certificate ").append(CertificateNames.describe(own)).append(" issued by ")
                    .append(CertificateNames.issuer(own)).append(", valid until ").append(CertificateNames.day(own.getNotAfter()));
        }
        if (server) {
            b.append(clientCertificates ? "; client certificates required, issued by " + trust.describe()
                    : "; no client certificates");
        } else {
            b.append("; trusts ").append(trust == null ? "Java's default CAs" : trust.describe());
        }
        return b.toString();
    }
}
