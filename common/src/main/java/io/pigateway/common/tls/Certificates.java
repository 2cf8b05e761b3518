package io.pigateway.common.tls;

import io.pigateway.common.ConfigException;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** X.509 certificates from PEM blocks, through the JDK's own {@link CertificateFactory}. */
final class Certificates {
    private Certificates() {
    }

    /** Every CERTIFICATE block, in file order; fails if there is none. */
    static List<X509Certificate> fromPem(List<PemFile.Block> blocks, Path file) throws ConfigException {
        String where = file.toAbsolutePath().toString();
        List<X509Certificate> certificates = new ArrayList<>();
        for (PemFile.Block b : blocks) {
            if (!b.label().equals(PemFile.CERTIFICATE)) {
                continue;
            }
            try {
                CertificateFactory factory = CertificateFactory.getInstance("X.509");
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
            } catch (CertificateException e) {
                throw new ConfigException(where + ": the certificate on line " + b.line() + " cannot be read: "
                        + e.getMessage(), e);
            }
        }
        if (certificates.isEmpty()) {
            throw new ConfigException(where + " holds no certificate ('-----BEGIN CERTIFICATE-----'); it holds: "
                    + PemFile.labels(blocks));
        }
        return certificates;
    }

    /** Fails if a certificate file also holds a private key: the key must live in a file of its own, mode 0600. */
    static void requireNoPrivateKey(List<PemFile.Block> blocks, Path file, String rule) throws ConfigException {
        for (PemFile.Block b : blocks) {
            if (b.label().endsWith("PRIVATE KEY")) {
                throw new ConfigException(file.toAbsolutePath() + " holds a private key (line " + b.line() + "); " + rule);
            }
        }
    }
}
