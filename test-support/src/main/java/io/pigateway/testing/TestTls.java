package io.pigateway.testing;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/** SSL contexts for test clients, built straight from the test CA's files. */
public final class TestTls {
    private TestTls() {
    }

    /**
     * A client that trusts the CAs in {@code caFile} and, if {@code certificate} is non-null, always
     * offers that certificate, even when the server asks for one from another CA (a JDK client would
     * then send none; a hostile or misconfigured one sends it anyway, which is what tests need).
     */
    public static SSLContext client(Path caFile, TestPki.Issued certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(caFile)) {
            int i = 0;
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        KeyManager[] keys = certificate == null ? null : new KeyManager[] {new Always(certificate)};
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, tmf.getTrustManagers(), null);
        return context;
    }

    private static final class Always extends X509ExtendedKeyManager {
        private final TestPki.Issued certificate;

        Always(TestPki.Issued certificate) {
            this.certificate = certificate;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "device";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "device";
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[] {certificate.certificate()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return certificate.key();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"device"};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
