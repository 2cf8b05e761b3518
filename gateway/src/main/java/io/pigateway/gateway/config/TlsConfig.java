package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.common.Settings;
import io.pigateway.common.tls.KeyMaterial;
import io.pigateway.common.tls.TlsContext;
import io.pigateway.common.tls.TlsProtocols;
import io.pigateway.common.tls.TrustedCertificates;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * TLS on the gateway's port, checked and loaded once at start-up: the files are read and the
 * {@link TlsContext} built here, so that {@code check-config} finds a wrong key or an expired
 * certificate just as start-up would.
 *
 * @param certificateFile      PEM certificate chain (with {@code keyFile}), or {@code null}
 * @param keyFile              PEM PKCS#8 private key, a secret file
 * @param keystoreFile         PKCS#12 keystore (with {@code keystorePasswordFile}) instead of the two above
 * @param keystorePasswordFile the keystore's password, a secret file
 * @param clientCaFile         set: mutual TLS, clients need a certificate issued by a CA in this file
 *                             and a HELLO's device id must be one the certificate names
 * @param context              the loaded set-up; {@code null} when disabled
 */
public record TlsConfig(boolean enabled, Path certificateFile, Path keyFile, Path keystoreFile, Path keystorePasswordFile,
                        Path clientCaFile, TlsProtocols protocols, TlsContext context) {

    public static final TlsConfig DISABLED = new TlsConfig(false, null, null, null, null, null, TlsProtocols.DEFAULT, null);
    private static final List<String> FILE_KEYS = List.of("tls.certificate-file", "tls.key-file", "tls.keystore-file",
            "tls.keystore-password-file", "tls.client-ca-file");

    public TlsConfig {
        Objects.requireNonNull(protocols, "protocols");
        if (enabled && context == null) {
            throw new IllegalArgumentException("TLS is enabled but has no context");
        }
    }

    /** Mutual TLS: clients prove who they are with a certificate. */
    public boolean mutual() {
        return enabled && clientCaFile != null;
    }

    /** TLS from a PEM certificate and key; with {@code clientCaFile} non-null, mutual TLS. */
    public static TlsConfig pem(Path certificateFile, Path keyFile, Path clientCaFile, TlsProtocols protocols)
            throws ConfigException {
        Instant now = Instant.now();
        KeyMaterial keys = KeyMaterial.fromPem(certificateFile, keyFile, now);
        return new TlsConfig(true, certificateFile, keyFile, null, null, clientCaFile, protocols,
                TlsContext.server(keys, clientCas(clientCaFile, now), protocols));
    }

    static TlsConfig from(Settings s) throws ConfigException {
        boolean enabled = s.bool("tls.enabled", false);
        TlsProtocols protocols = TlsProtocols.from(s, "tls.protocols");
        if (!enabled) {
            // The other keys may stay in the file, ready for tls.enabled = true; they are not checked.
            for (String key : FILE_KEYS) {
                s.string(key, null);
            }
            return DISABLED;
        }
        Path certificate = SecretFile.resolve(s, "tls.certificate-file");
        Path key = SecretFile.resolve(s, "tls.key-file");
        Path keystore = SecretFile.resolve(s, "tls.keystore-file");
        Path keystorePassword = SecretFile.resolve(s, "tls.keystore-password-file");
        Path clientCa = SecretFile.resolve(s, "tls.client-ca-file");
        boolean pem = certificate != null || key != null;
        boolean pkcs12 = keystore != null || keystorePassword != null;
        if (pem && pkcs12) {
            throw new ConfigException(s.source() + ": give tls.certificate-file and tls.key-file, or tls.keystore-file"
                    + " and tls.keystore-password-file, not both");
        }
        if (!pem && !pkcs12) {
            throw new ConfigException(s.source() + ": tls.enabled = true needs tls.certificate-file and tls.key-file"
                    + " (PEM), or tls.keystore-file and tls.keystore-password-file (PKCS#12)");
        }
        Instant now = Instant.now();
        KeyMaterial keys;
        if (pem) {
            requirePair(s, certificate, "tls.certificate-file", key, "tls.key-file");
            keys = s.fromFiles("tls.certificate-file, tls.key-file", () -> KeyMaterial.fromPem(certificate, key, now));
        } else {
            requirePair(s, keystore, "tls.keystore-file", keystorePassword, "tls.keystore-password-file");
            keys = s.fromFiles("tls.keystore-file, tls.keystore-password-file",
                    () -> KeyMaterial.fromPkcs12(keystore, keystorePassword, now));
        }
        TrustedCertificates cas = s.fromFiles("tls.client-ca-file", () -> clientCas(clientCa, now));
        TlsContext context = s.fromFiles("tls", () -> TlsContext.server(keys, cas, protocols));
        return new TlsConfig(true, certificate, key, keystore, keystorePassword, clientCa, protocols, context);
    }

    /**
     * The same files read again (SIGHUP, {@code systemctl reload}) and checked as at start-up: a new
     * set if the key, its certificate chain and the client CAs all load, otherwise a ConfigException
     * naming the file and the cause. Disabled stays disabled.
     */
    public TlsConfig reread() throws ConfigException {
        if (!enabled) {
            return this;
        }
        Instant now = Instant.now();
        KeyMaterial keys = certificateFile != null ? KeyMaterial.fromPem(certificateFile, keyFile, now)
                : KeyMaterial.fromPkcs12(keystoreFile, keystorePasswordFile, now);
        return new TlsConfig(true, certificateFile, keyFile, keystoreFile, keystorePasswordFile, clientCaFile, protocols,
                TlsContext.server(keys, clientCas(clientCaFile, now), protocols));
    }

    /** Certificates that expire within 30 days or are not valid yet: logged at start-up, printed by check-config. */
    public List<String> warnings() {
        return enabled ? context.warnings(Instant.now()) : List.of();
    }

    /** One line for the start-up log and check-config. */
    public String describe() {
        return enabled ? "TLS " + context.describe() : "TLS off: clients connect in plaintext";
    }

    private static TrustedCertificates clientCas(Path file, Instant now) throws ConfigException {
        return file == null ? null : TrustedCertificates.fromPem(file, now);
    }

    private static void requirePair(Settings s, Path a, String aKey, Path b, String bKey) throws ConfigException {
        if (a == null) {
            throw new ConfigException(s.source() + ": key '" + aKey + "' is required with " + bKey);
        }
        if (b == null) {
            throw new ConfigException(s.source() + ": key '" + bKey + "' is required with " + aKey);
        }
    }
}
