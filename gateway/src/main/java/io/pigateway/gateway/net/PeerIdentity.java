package io.pigateway.gateway.net;

import io.pigateway.common.tls.CertificateNames;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Who a client proved to be in the TLS handshake, as far as a connection needs to know: the names
 * in its verified certificate. {@link #NONE} for plaintext, or TLS without client certificates.
 *
 * <p>A device id is bound to a certificate if it equals the certificate's subject CN or one of its
 * DNS subject alternative names, compared exactly (device ids are case-sensitive).
 */
record PeerIdentity(boolean certified, String commonName, List<String> dnsNames) {
    static final PeerIdentity NONE = new PeerIdentity(false, null, List.of());

    PeerIdentity {
        dnsNames = List.copyOf(dnsNames);
    }

    static PeerIdentity of(X509Certificate certificate) {
        return new PeerIdentity(true, CertificateNames.commonName(certificate), CertificateNames.dnsNames(certificate));
    }

    /** Whether a client with this identity may call itself {@code deviceId}: always, unless it is certified. */
    boolean permits(String deviceId) {
        return !certified || deviceId.equals(commonName) || dnsNames.contains(deviceId);
    }

    /** {@code CN=pi-1, DNS:pi-1.site}: for log lines and NACK reasons. */
    String describe() {
        List<String> names = new ArrayList<>();
        if (commonName != null) {
            names.add("CN=" + commonName);
        }
        dnsNames.forEach(n -> names.add("DNS:" + n));
        return names.isEmpty() ? "no CN and no DNS name" : String.join(", ", names);
    }
}
