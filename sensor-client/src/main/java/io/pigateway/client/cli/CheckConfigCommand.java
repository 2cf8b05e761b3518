package io.pigateway.client.cli;

import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.common.ConfigException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Validates a configuration file and prints every effective value, defaults included. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Validate the configuration file; print the effective configuration (exit 0) or the error (exit 2).")
public final class CheckConfigCommand implements Callable<Integer> {
    static final int CONFIG_ERROR = 2;

    @Mixin
    ConfigFileOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SensorClientConfig config;
        try {
            config = options.load();
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("sensor-client: " + e.getMessage());
            return CONFIG_ERROR;
        }
        var out = spec.commandLine().getOut();
        out.println("# " + options.file + " is valid; effective configuration:");
        out.print(config.describe());
        for (String warning : config.gateway().tls().warnings()) {
            out.println("# warning: " + warning);
        }
        out.flush();
        return 0;
    }
}
