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
