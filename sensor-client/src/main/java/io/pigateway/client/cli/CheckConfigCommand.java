package io.pigateway.client.cli;

import io.pigateway.client.SensorClientMain;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Validates a configuration file as {@code run} would (the spool directory included) and prints every
 * effective value, defaults included, with where it came from.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Validate the configuration file; print the effective configuration (exit 0) or the error (exit 2).")
public final class CheckConfigCommand implements Callable<Integer> {
    static final int CONFIG_ERROR = 2;

    @Mixin
    ConfigFileOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Settings settings;
        SensorClientConfig config;
        try {
            settings = options.settings();
            config = SensorClientConfig.from(settings);
            String problem = config.spool().directoryProblem(config.deviceId());
            if (problem != null) {
                throw settings.invalid("spool.dir", config.spool().dir().toString(), problem);
            }
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(SensorClientMain.NAME + ": " + e.getMessage());
            return CONFIG_ERROR;
        }
        var out = spec.commandLine().getOut();
        out.println("# " + options.file + " is valid; effective configuration (key = value  # from):");
        out.print(settings.describe());
        for (String warning : config.gateway().tls().warnings()) {
            out.println("# warning: " + warning);
        }
        out.flush();
        return 0;
    }
}
