package io.pigateway.client.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.protocol.HelloProof;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * The device's secret, read at start-up from {@code device.secret-file} (first line; the file must be
 * private to its owner, see {@link SecretFile}). It never leaves the process: HELLO carries only
 * {@link #proof a proof} computed over the gateway's CHALLENGE. {@link #toString()} shows the file,
 * never the secret.
 */
public final class DeviceSecret {
    /** The gateway's rule for a secret in its devices file (gateway's DeviceSecrets), checked here too. */
    public static final int MIN_LENGTH = 16;
    public static final int MAX_LENGTH = 256;

    private final Path file;
    private final byte[] secret;

    private DeviceSecret(Path file, byte[] secret) {
        this.file = file;
        this.secret = secret;
    }

    public static DeviceSecret load(Path file) throws ConfigException {
        String line = SecretFile.at(file).firstLine().strip();
        if (line.isEmpty()) {
            throw new ConfigException(file.toAbsolutePath() + " is empty; its first line must be the device's secret");
        }
        if (line.length() < MIN_LENGTH || line.length() > MAX_LENGTH) {
            throw new ConfigException(file.toAbsolutePath() + " holds a secret of " + line.length() + " characters;"
                    + " the gateway accepts " + MIN_LENGTH + " to " + MAX_LENGTH + " (e.g. openssl rand -base64 32)");
        }
        if (!line.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new ConfigException(file.toAbsolutePath() + " holds a secret with a space or a character that is not"
                    + " printable ASCII, which the gateway does not accept (e.g. openssl rand -base64 32)");
        }
        return new DeviceSecret(file, line.getBytes(StandardCharsets.UTF_8));
    }

    public Path file() {
        return file;
    }

    /** HELLO's credentials for this connection's CHALLENGE. */
    public byte[] proof(byte[] nonce, String deviceId, long streamId) {
        return HelloProof.compute(secret, nonce, deviceId, streamId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceSecret d && file.equals(d.file) && Arrays.equals(secret, d.secret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, Arrays.hashCode(secret));
    }

    @Override
    public String toString() {
        return "secret from " + file;
    }
}
