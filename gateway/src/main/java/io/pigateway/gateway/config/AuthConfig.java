package io.pigateway.gateway.config;

import io.pigateway.gateway.auth.DeviceSecrets;
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
