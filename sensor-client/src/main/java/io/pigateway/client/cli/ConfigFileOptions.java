package io.pigateway.client.cli;

import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code -c/--config} and {@code --device-id}, shared by the subcommands. */
public final class ConfigFileOptions {
    // The default on a line of its own: picocli breaks a word longer than the space left on a line.
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "/etc/pi-gateway/sensor-client.conf",
            description = {"configuration file", "(default: ${DEFAULT-VALUE})"})
    Path file;

    @Option(names = "--device-id", paramLabel = "ID",
            description = "use this device id instead of device.id from the file (for several demo clients from one file)")
    String deviceId;

    /** The file, the environment over it and {@code --device-id} over both, not yet read. */
    Settings settings() throws ConfigException {
        return SensorClientConfig.settings(file, deviceId, System.getenv());
    }
}
