package io.pigateway.gateway.net;

import io.pigateway.common.tls.TlsProtocols;
import io.pigateway.gateway.config.TlsConfig;
import io.pigateway.testing.TestPki;
import java.nio.file.Path;

/** TLS settings for a gateway under test. */
public final class GatewayTls {
    private GatewayTls() {
    }

    /**
     * A server certificate for {@code gateway} issued by {@code pki}, default protocols; with
     * {@code clientCaFile} non-null, mutual TLS.
     */
    public static TlsConfig issuedBy(TestPki pki, Path clientCaFile) throws Exception {
        TestPki.Issued certificate = pki.server("gateway");
        return TlsConfig.pem(certificate.certificateFile(), certificate.keyFile(), clientCaFile, TlsProtocols.DEFAULT);
    }
}
