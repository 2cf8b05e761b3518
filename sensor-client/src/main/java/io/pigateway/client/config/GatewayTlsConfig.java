package io.pigateway.client.config;

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
import java.util.function.BiConsumer;

/**
 * TLS to the gateway, checked and loaded once at start-up. The gateway's certificate must be issued
 * by a CA in {@code caFile} and name the address connected to (or {@code serverName}), as HTTPS
 * clients check it.
 *
 * @param certificateFile with {@code keyFile}: this device's certificate, for gateways that require
 *                        one (mutual TLS); {@code null} otherwise
 * @param serverName      the name the gateway's certificate must carry when it is not the address
 *                        in gateway.addresses (e.g. an IP address there, a host name in the
 *                        certificate); {@code null}: the address itself
 * @param context         the loaded set-up; {@code null} when disabled. Not part of equality: it
 *                        follows from the files
 */
public record GatewayTlsConfig(boolean enabled, Path caFile, Path certificateFile, Path keyFile, String serverName,
                               TlsProtocols protocols, TlsContext context) {

    public static final GatewayTlsConfig DISABLED = new GatewayTlsConfig(false, null, null, null, null,
            TlsProtocols.DEFAULT, null);
    private static final List<String> KEYS = List.of("gateway.tls.ca-file", "gateway.tls.certificate-file",
            "gateway.tls.key-file", "gateway.tls.server-name");

    public GatewayTlsConfig {
        Objects.requireNonNull(protocols, "protocols");
        if (enabled && context == null) {
            throw new IllegalArgumentException("TLS is enabled but has no context");
        }
    }

    /** TLS trusting {@code caFile}; with {@code certificateFile} and {@code keyFile} non-null, with this device's certificate. */
    public static GatewayTlsConfig of(Path caFile, Path certificateFile, Path keyFile, String serverName)
            throws ConfigException {
        Instant now = Instant.now();
        KeyMaterial keys = certificateFile == null ? null : KeyMaterial.fromPem(certificateFile, keyFile, now);
        return new GatewayTlsConfig(true, caFile, certificateFile, keyFile, serverName, TlsProtocols.DEFAULT,
                TlsContext.client(TrustedCertificates.fromPem(caFile, now), keys, TlsProtocols.DEFAULT));
    }

    static GatewayTlsConfig from(Settings s) throws ConfigException {
        boolean enabled = s.bool("gateway.tls.enabled", false);
        TlsProtocols protocols = TlsProtocols.from(s, "gateway.tls.protocols");
        if (!enabled) {
            // The other keys may stay in the file, ready for gateway.tls.enabled = true; they are not checked.
            KEYS.forEach(k -> s.string(k, null));
            return DISABLED;
        }
        Path ca = SecretFile.resolve(s, "gateway.tls.ca-file");
        if (ca == null) {
            throw new ConfigException(s.source() + ": key 'gateway.tls.ca-file' is required when gateway.tls.enabled ="
                    + " true (the CA that issued the gateway's certificate)");
        }
        Path certificate = SecretFile.resolve(s, "gateway.tls.certificate-file");
        Path key = SecretFile.resolve(s, "gateway.tls.key-file");
        if (certificate != null && key == null) {
            throw new ConfigException(s.source() + ": key 'gateway.tls.key-file' is required with gateway.tls.certificate-file");
        }
        if (key != null && certificate == null) {
            throw new ConfigException(s.source() + ": key 'gateway.tls.certificate-file' is required with gateway.tls.key-file");
        }
        String serverName = s.string("gateway.tls.server-name", null);
        if (serverName != null && !serverName.matches("[A-Za-z0-9.:\\-\\[\\]]+")) {
            throw s.invalid("gateway.tls.server-name", serverName, "must be a host name or an IP address");
        }
        Instant now = Instant.now();
        TrustedCertificates cas = s.fromFiles("gateway.tls.ca-file", () -> TrustedCertificates.fromPem(ca, now));
        KeyMaterial keys = certificate == null ? null : s.fromFiles("gateway.tls.certificate-file, gateway.tls.key-file",
                () -> KeyMaterial.fromPem(certificate, key, now));
        TlsContext context = s.fromFiles("gateway.tls", () -> TlsContext.client(cas, keys, protocols));
        return new GatewayTlsConfig(true, ca, certificate, key, serverName, protocols, context);
    }

    /** Certificates that expire within 30 days, have expired (CAs) or are not valid yet. */
    public List<String> warnings() {
        return enabled ? context.warnings(Instant.now()) : List.of();
    }

    /** The keys in the configuration file's syntax, for {@code describe()}. */
    void describe(BiConsumer<String, String> line) {
        line.accept("gateway.tls.enabled", Boolean.toString(enabled));
        if (!enabled) {
            return;
        }
        line.accept("gateway.tls.ca-file", caFile.toString());
        if (certificateFile != null) {
            line.accept("gateway.tls.certificate-file", certificateFile.toString());
            line.accept("gateway.tls.key-file", keyFile.toString());
        }
        if (serverName != null) {
            line.accept("gateway.tls.server-name", serverName);
        }
        line.accept("gateway.tls.protocols", protocols.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GatewayTlsConfig t && enabled == t.enabled && Objects.equals(caFile, t.caFile)
                && Objects.equals(certificateFile, t.certificateFile) && Objects.equals(keyFile, t.keyFile)
                && Objects.equals(serverName, t.serverName) && protocols.equals(t.protocols);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, caFile, certificateFile, keyFile, serverName, protocols);
    }
}
