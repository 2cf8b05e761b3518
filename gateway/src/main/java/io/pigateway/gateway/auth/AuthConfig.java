package io.pigateway.gateway.auth;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.common.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Who may connect.
 *
 * @param mode        {@link Mode#SECRETS}: only devices listed in the devices file, each proving its
 *                    secret; {@link Mode#OPEN}: any device (only when the operator says so)
 * @param devicesFile where the devices and their secrets were read from ({@code null} when open)
 * @param devices     the devices file's content ({@code null} when open)
 */
public record AuthConfig(Mode mode, Path devicesFile, DeviceSecrets devices) {
    public static final Path DEFAULT_DEVICES_FILE = Path.of("/etc/pi-gateway/devices");

    public enum Mode { SECRETS, OPEN }

    public AuthConfig {
        Objects.requireNonNull(mode, "mode");
        if (mode == Mode.SECRETS) {
            Objects.requireNonNull(devicesFile, "devicesFile");
            Objects.requireNonNull(devices, "devices");
        }
    }

    /** The {@code auth.*} keys; reads the devices file. */
    public static AuthConfig from(Settings s) throws ConfigException {
        Mode mode = s.choice("auth.mode", Mode.class, Mode.SECRETS);
        Path file = SecretFile.resolve(s, "auth.devices-file");
        if (mode == Mode.OPEN) {
            return open();
        }
        Path devices = file == null ? DEFAULT_DEVICES_FILE : file;
        s.defaultUsed("auth.devices-file", devices.toString());
        try {
            return secrets(devices,
                    s.fromFiles("auth.devices-file", () -> DeviceSecrets.load(SecretFile.at(devices))));
        } catch (ConfigException e) {
            if (Files.exists(devices)) {
                throw e;
            }
            throw new ConfigException(e.getMessage() + "; list each device and its secret there (docs/SECURITY.md),"
                    + " or set auth.mode = open to accept any device that can reach the port", e);
        }
    }

    /** Any device is accepted: for tests and for operators who ask for it explicitly. */
    public static AuthConfig open() {
        return new AuthConfig(Mode.OPEN, null, null);
    }

    public static AuthConfig secrets(Path devicesFile, DeviceSecrets devices) {
        return new AuthConfig(Mode.SECRETS, devicesFile, devices);
    }

    @Override
    public String toString() {
        return mode == Mode.OPEN ? "auth: OPEN, any device is accepted"
                : "auth: device secrets, " + devices + " in " + devicesFile;
    }
}
