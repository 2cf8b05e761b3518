package io.pigateway.common.tls;

import io.pigateway.common.ConfigException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The CA certificates a peer's certificate must chain up to, from a PEM bundle. A bundle may hold
 * an expired CA next to its successor while certificates move over; only a bundle in which every
 * CA has expired is an error.
 */
public record TrustedCertificates(List<X509Certificate> certificates, Path file) {
    public TrustedCertificates {
        certificates = List.copyOf(certificates);
        Objects.requireNonNull(file, "file");
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no CA certificate");
        }
    }

    public static TrustedCertificates fromPem(Path file, Instant now) throws ConfigException {
        List<PemFile.Block> blocks = PemFile.read(file);
        Certificates.requireNoPrivateKey(blocks, file, "a CA file holds certificates only, and a CA's private key"
                + " belongs on no gateway and no Pi");
        List<X509Certificate> certificates = Certificates.fromPem(blocks, file);
        boolean anyCurrent = false;
        for (X509Certificate c : certificates) {
            anyCurrent |= !now.isAfter(c.getNotAfter().toInstant());
        }
        if (!anyCurrent) {
            Validity.requireNotExpired(certificates.getFirst(), "the CA certificate", file.toAbsolutePath().toString(), now);
        }
        return new TrustedCertificates(certificates, file);
    }

    /** Warnings for CA certificates that have expired, expire soon or are not valid yet. */
    public List<String> warnings(Instant now) {
        List<String> warnings = new ArrayList<>();
        for (X509Certificate c : certificates) {
            if (now.isAfter(c.getNotAfter().toInstant())) {
                warnings.add(file.toAbsolutePath() + ": the CA certificate " + CertificateNames.describe(c) + " expired on "
                        + CertificateNames.day(c.getNotAfter()) + " and verifies nothing any more; remove it");
                continue;
            }
            String w = Validity.warning(c, "the CA certificate", file.toAbsolutePath().toString(), now);
            if (w != null) {
                warnings.add(w);
            }
        }
        return warnings;
    }

    /** {@code CN=Site CA, CN=Old CA}: for log lines. */
    public String describe() {
        return String.join(", ", certificates.stream().map(CertificateNames::describe).toList());
    }
}
