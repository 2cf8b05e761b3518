package io.pigateway.gateway.cli;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.gateway.config.GatewayConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -c/--config} option every command of {@code pi-gateway} takes, as {@code pi-sensor-client}'s do. */
public abstract class ConfigFileOptions {
    // The default on a line of its own: picocli breaks a word longer than the space left on a line.
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = {"configuration file", "(default: ${DEFAULT-VALUE})"})
    Path config = GatewayConfig.DEFAULT_FILE;

    protected Settings settings() throws ConfigException {
        return Settings.load(config).withEnvironment(GatewayConfig.ENVIRONMENT_PREFIX, System.getenv());
    }
}
