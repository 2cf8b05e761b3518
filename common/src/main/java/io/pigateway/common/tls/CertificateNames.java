package io.pigateway.common.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/** The names a certificate carries, for identity checks and for log lines. */
public final class CertificateNames {
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    private static final int SAN_IP = 7;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private CertificateNames() {
    }

    /** The subject's common name (the last CN if there are several), or {@code null}. */
    public static String commonName(X509Certificate certificate) {
        return commonName(certificate.getSubjectX500Principal());
    }

    static String commonName(X500Principal principal) {
        try {
            String cn = null;
            for (Rdn rdn : new LdapName(principal.getName(X500Principal.RFC2253)).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    cn = String.valueOf(rdn.getValue()); // getRdns() runs from the least significant (rightmost)
                }
            }
            return cn;
        } catch (InvalidNameException e) {
            return null;
        }
    }

    /** The subject alternative names of type dNSName. */
    public static List<String> dnsNames(X509Certificate certificate) {
        return alternativeNames(certificate, SAN_DNS);
    }

    /** Subject and alternative names in one line: {@code CN=gw-1 (DNS:gw.example, IP:10.0.0.5)}. */
    public static String describe(X509Certificate certificate) {
        String cn = commonName(certificate);
        String subject = cn != null ? "CN=" + cn : certificate.getSubjectX500Principal().getName();
        List<String> alternatives = new ArrayList<>();
        alternativeNames(certificate, SAN_DNS).forEach(n -> alternatives.add("DNS:" + n));
        alternativeNames(certificate, SAN_IP).forEach(n -> alternatives.add("IP:" + n));
        alternativeNames(certificate, SAN_URI).forEach(n -> alternatives.add("URI:" + n));
        return alternatives.isEmpty() ? subject : subject + " (" + String.join(", ", alternatives) + ")";
    }

    /** The issuer's common name, or its whole name if it has none. */
    public static String issuer(X509Certificate certificate) {
        String cn = commonName(certificate.getIssuerX500Principal());
        return cn != null ? "CN=" + cn : certificate.getIssuerX500Principal().getName();
    }

    /** {@code 2026-05-01}: the day a certificate stops being valid, in UTC. */
    public static String day(java.util.Date date) {
        return DAY.format(date.toInstant());
    }

    private static List<String> alternativeNames(X509Certificate certificate, int type) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> all = certificate.getSubjectAlternativeNames();
            if (all == null) {
                return names;
            }
            for (List<?> entry : all) {
                if (entry.size() >= 2 && entry.get(0) instanceof Integer t && t == type && entry.get(1) instanceof String s) {
                    names.add(s);
                }
            }
        } catch (CertificateParsingException e) {
            // an unreadable extension names nothing
        }
        return names;
    }
}
