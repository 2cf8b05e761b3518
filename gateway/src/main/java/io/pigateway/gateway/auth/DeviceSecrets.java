package io.pigateway.gateway.auth;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.protocol.Identifiers;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The devices the gateway accepts and their secrets, read once at start-up from the devices file, a
 * secret file (mode 0600 or a systemd credential; see {@link SecretFile}). The format, one device a line:
 *
 * <pre>
 * # comment
 * device-id   secret
 * </pre>
 *
 * A device id follows the protocol's rule ({@link Identifiers}); a secret is {@value #MIN_SECRET_LENGTH}
 * to {@value #MAX_SECRET_LENGTH} printable ASCII characters without spaces (e.g. from
 * {@code openssl rand -base64 32}). Blank lines and lines starting with {@code #} are skipped. Every
 * mistake names the file and the line; no secret is ever repeated in a message.
 */
public final class DeviceSecrets {
    public static final int MIN_SECRET_LENGTH = 16;
    public static final int MAX_SECRET_LENGTH = 256;

    private final Map<String, byte[]> secrets;

    private DeviceSecrets(Map<String, byte[]> secrets) {
        this.secrets = secrets;
    }

    public static DeviceSecrets load(SecretFile file) throws ConfigException {
        String text = new String(file.bytes(), StandardCharsets.UTF_8);
        Map<String, byte[]> secrets = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file.path().toAbsolutePath() + " line " + (i + 1);
            String[] fields = line.split("\\s+");
            if (fields.length != 2) {
                throw new ConfigException(where + ": expected 'device-id secret', found " + fields.length + " field"
                        + (fields.length == 1 ? "" : "s"));
            }
            String id = fields[0];
            String problem = Identifiers.problem("device id", id);
            if (problem != null) {
                throw new ConfigException(where + ": " + problem);
            }
            String secret = fields[1];
            if (secret.length() < MIN_SECRET_LENGTH || secret.length() > MAX_SECRET_LENGTH) {
                throw new ConfigException(where + ": the secret of device " + id + " has " + secret.length()
                        + " characters; it must have " + MIN_SECRET_LENGTH + " to " + MAX_SECRET_LENGTH
                        + " (e.g. openssl rand -base64 32)");
            }
            if (!secret.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
                throw new ConfigException(where + ": the secret of device " + id
                        + " must be printable ASCII without spaces");
            }
            if (secrets.putIfAbsent(id, secret.getBytes(StandardCharsets.US_ASCII)) != null) {
                throw new ConfigException(where + ": device " + id + " is listed twice");
            }
        }
        return new DeviceSecrets(Map.copyOf(secrets));
    }

    /** The secret of {@code deviceId}, or {@code null} for a device not in the file. */
    byte[] secretOf(String deviceId) {
        return secrets.get(deviceId);
    }

    /** Whether {@code deviceId} is listed in both with one secret: a connected device may stay after a reload. */
    public boolean sameSecret(DeviceSecrets other, String deviceId) {
        byte[] mine = secretOf(deviceId);
        return mine != null && Arrays.equals(mine, other.secretOf(deviceId));
    }

    public int size() {
        return secrets.size();
    }

    @Override
    public String toString() {
        return secrets.size() + " devices";
    }
}
