package io.pigateway.client.cli;

import io.pigateway.client.SensorClient;
import io.pigateway.client.SensorClientMain;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.client.sensor.SensorStartException;
import io.pigateway.client.spool.SpoolUnusableException;
import io.pigateway.common.ConfigException;
import io.pigateway.common.logging.LogLevel;
import io.pigateway.common.systemd.SystemdNotifier;
import io.pigateway.common.systemd.Watchdog;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.tinylog.provider.ProviderRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Runs the client until SIGTERM or Ctrl-C, then stops in order and exits 0. */
@Command(name = "run", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Sample the sensors and stream their readings to the gateway until stopped (SIGTERM, Ctrl-C).")
public final class RunCommand implements Callable<Integer> {
    /** Exit code: a configured real sensor could not be opened (device file, permissions, wiring, chip id). */
    static final int SENSOR_ERROR = 3;
    /** Exit code: the spool directory cannot be used (missing parent, not writable, in use, unreadable). */
    static final int SPOOL_ERROR = 4;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = {"trace, debug, info, warn or error", "(default: ${DEFAULT-VALUE})"})
    LogLevel logLevel;

    @Mixin
    ConfigFileOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        logLevel.apply(SensorClientMain.NAME); // before the first log line, or tinylog ignores it
        SensorClientConfig config;
        try {
            config = SensorClientConfig.from(options.settings());
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(SensorClientMain.NAME + ": " + e.getMessage());
            return CheckConfigCommand.CONFIG_ERROR;
        }
        SensorClient client;
        try {
            client = SensorClient.start(config);
        } catch (SensorStartException e) {
            // stderr only: under systemd it reaches the journal once, as the configuration errors do
            spec.commandLine().getErr().println(SensorClientMain.NAME + ": not started: " + e.getMessage());
            return SENSOR_ERROR;
        } catch (SpoolUnusableException e) {
            // stderr only: under systemd it reaches the journal once, as the configuration errors do
            spec.commandLine().getErr().println(SensorClientMain.NAME + ": not started: " + e.getMessage());
            return SPOOL_ERROR;
        }
        // Sensors and spool are open and both loops run: ready, as far as systemd is concerned.
        SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
        systemd.ready(client.status());
        Watchdog watchdog = Watchdog.start(systemd, client::stuck);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            watchdog.close(); // systemd stops watching once it hears STOPPING=1
            systemd.stopping();
            stop(client);
        }, "shutdown"));
        new CountDownLatch(1).await(); // the shutdown hook ends the process
        return 0;
    }

    /**
     * Runs in the shutdown hook. A JVM ended by SIGTERM exits 143 unless a hook halts it; an orderly
     * stop is a success, so this halts with 0 once the client has stopped and logging is flushed.
     */
    private static void stop(SensorClient client) {
        int status = 0;
        try {
            client.shutdown();
        } catch (RuntimeException e) {
            org.tinylog.Logger.error(e, "orderly stop failed");
            status = 1;
        }
        try {
            ProviderRegistry.getLoggingProvider().shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(status);
    }
}
