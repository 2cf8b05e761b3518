package io.pigateway.common.tls;

import io.pigateway.common.ConfigException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/** Whether a certificate is usable now, and whether it soon will not be. */
final class Validity {
    /** How early start-up warns of a certificate's end, so there is time to renew it. */
    static final Duration WARN_BEFORE = Duration.ofDays(30);

    private Validity() {
    }

    /** Fails if {@code certificate} has expired. */
    static void requireNotExpired(X509Certificate certificate, String what, String where, Instant now) throws ConfigException {
        if (now.isAfter(certificate.getNotAfter().toInstant())) {
            throw new ConfigException(where + ": " + what + " " + CertificateNames.describe(certificate)
                    + " expired on " + CertificateNames.day(certificate.getNotAfter()) + "; renew it (docs/TLS.md)");
        }
    }

    /**
     * A warning if {@code certificate} expires within {@link #WARN_BEFORE} or is not valid yet (a
     * clock that is behind, as on a Pi without a real-time clock before NTP has synchronised it), or
     * {@code null}.
     */
    static String warning(X509Certificate certificate, String what, String where, Instant now) {
        Instant notAfter = certificate.getNotAfter().toInstant();
        Instant notBefore = certificate.getNotBefore().toInstant();
        if (now.isBefore(notBefore)) {
            return where + ": " + what + " " + CertificateNames.describe(certificate)
                    + " is not valid before " + CertificateNames.day(certificate.getNotBefore()) + " (" + now
                    + " now); is this machine's clock right? TLS handshakes fail until it is";
        }
        if (!now.isAfter(notAfter) && now.plus(WARN_BEFORE).isAfter(notAfter)) {
            long days = Duration.between(now, notAfter).toDays();
            return where + ": " + what + " " + CertificateNames.describe(certificate) + " expires on "
                    + CertificateNames.day(certificate.getNotAfter()) + ", in " + days + (days == 1 ? " day" : " days")
                    + "; renew it (docs/TLS.md)";
        }
        return null;
    }
}
