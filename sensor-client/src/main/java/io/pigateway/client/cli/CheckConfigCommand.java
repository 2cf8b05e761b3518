package io.pigateway.client.cli;

import io.pigateway.client.SensorClientMain;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.client.sensor.SensorStartException;
import io.pigateway.client.sensor.pi4j.DeviceFiles;
import io.pigateway.client.sensor.pi4j.HardwareSensors;
import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Validates a configuration file as {@code run} would (the spool directory and the device files of
 * GPIO and I2C sensors included) and prints every
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
            if (problem == null) {
                problem = writeProblem(config.spool().writeProblem(config.deviceId()));
            }
            if (problem != null) {
                throw settings.invalid("spool.dir", config.spool().dir().toString(), problem);
            }
            try {
                HardwareSensors.checkDeviceFiles(config.sensors(), DeviceFiles.system());
            } catch (SensorStartException e) {
                throw new ConfigException(settings.source() + ": the sensors cannot start here, as run would find: "
                        + e.getMessage());
            }
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(SensorClientMain.NAME + ": " + e.getMessage());
            return CONFIG_ERROR;
        }
        var out = spec.commandLine().getOut();
        out.println("# " + options.file + " is valid; effective configuration (key = value  # from):");
        out.print(settings.describe());
        Path unwritable = config.spool().writeProblem(config.deviceId());
        if (unwritable != null) {
            out.println("# warning: " + unwritable + " is not writable for user " + System.getProperty("user.name")
                    + " but belongs to " + owner(unwritable) + ": run the client as that user (as its service does)");
        }
        for (String warning : config.gateway().tls().warnings()) {
            out.println("# warning: " + warning);
        }
        out.flush();
        return 0;
    }

    /**
     * An error if {@code dir} (not writable for this user) belongs to this user, who then cannot run the
     * client with it; {@code null} if it is fine or belongs to another user, such as the service's, which
     * the warning after the configuration names.
     */
    private static String writeProblem(Path dir) {
        if (dir == null || !owner(dir).equals(System.getProperty("user.name"))) {
            return null;
        }
        return dir + " is not writable for its owner " + owner(dir) + ", so run could not keep readings there";
    }

    private static String owner(Path p) {
        try {
            return Files.getOwner(p).getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "another user";
        }
    }
}
