package io.pigateway.common.tls;

import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;

/**
 * Why a TLS handshake failed, in words an operator can act on. JSSE's messages ("PKIX path building
 * failed: ...SunCertPathBuilderException...") say what broke inside the JDK, not what is wrong with
 * the set-up; the JDK's own message follows in brackets for the record.
 */
public final class TlsFailures {
    private TlsFailures() {
    }

    public static String describe(Throwable failure) {
        String raw = innermostMessage(failure);
        String cause = cause(failure, raw.toLowerCase(Locale.ROOT));
        return cause == null ? raw : cause + " [" + raw + "]";
    }

    private static String cause(Throwable failure, String m) {
        if (has(failure, SocketTimeoutException.class)) {
            return "no answer within the handshake timeout";
        }
        if (has(failure, CertificateExpiredException.class)) {
            return "the peer's certificate has expired";
        }
        if (has(failure, CertificateNotYetValidException.class)) {
            return "the peer's certificate is not valid yet (is a clock wrong?)";
        }
        if (m.contains("unsupported or unrecognized ssl message") || m.contains("plaintext connection")) {
            return "the peer does not speak TLS (a plaintext client or server, or another protocol)";
        }
        if (m.contains("no subject alternative") || m.contains("no name matching")) {
            return "the peer's certificate does not name the address connected to";
        }
        if (has(failure, CertPathValidatorException.class) || m.contains("unable to find valid certification path")
                || m.contains("pkix path")) {
            return "the peer's certificate is not issued by a trusted CA";
        }
        if (m.contains("empty client certificate chain")) {
            return "the client sent no certificate, or none issued by a CA in the client CA file (mutual TLS)";
        }
        if (m.contains("alert: certificate_required")) {
            // A client offers only a certificate issued by a CA the server named, so a certificate
            // from another CA shows up as none at all.
            return "the gateway requires a client certificate issued by a CA it trusts; this client has none,"
                    + " or one from another CA";
        }
        if (m.contains("alert: bad_certificate") || m.contains("alert: certificate_unknown")
                || m.contains("alert: unknown_ca") || m.contains("alert: certificate_expired")) {
            return "the peer refused our certificate";
        }
        if (m.contains("client requested protocol") || m.contains("protocol versions") || m.contains("protocol_version")
                || m.contains("no appropriate protocol")) {
            return "no TLS version in common (only TLS 1.2 and 1.3 are allowed)";
        }
        if (m.contains("remote host terminated the handshake") || m.contains("broken pipe")
                || m.contains("connection reset") || has(failure, EOFException.class)) {
            return "the peer closed the connection during the handshake (does it trust our certificate?)";
        }
        return null;
    }

    private static boolean has(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** The message of the deepest cause that has one, on one line. */
    private static String innermostMessage(Throwable failure) {
        String message = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        if (message == null) {
            return failure.getClass().getSimpleName();
        }
        return message.replaceAll("\\s+", " ").strip();
    }
}
