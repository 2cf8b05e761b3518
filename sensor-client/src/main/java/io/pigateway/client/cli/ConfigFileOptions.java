package io.pigateway.client.cli;

import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.common.ConfigException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config} and {@code --device-id}, shared by the subcommands. */
public final class ConfigFileOptions {
    @Option(names = "--config", paramLabel = "FILE", defaultValue = "/etc/pi-gateway/sensor-client.conf",
            description = "configuration file (default: ${DEFAULT-VALUE})")
    Path file;

    @Option(names = "--device-id", paramLabel = "ID",
            description = "use this device id instead of device.id from the file (e.g. several demo clients, one file)")
    String deviceId;

    SensorClientConfig load() throws ConfigException {
        return SensorClientConfig.load(file, deviceId);
    }
}
