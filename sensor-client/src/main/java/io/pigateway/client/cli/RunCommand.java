package io.pigateway.client.cli;

import io.pigateway.client.SensorClient;
import io.pigateway.client.SensorClientMain;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.common.ConfigException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.tinylog.provider.ProviderRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Runs the client until SIGTERM or Ctrl-C, then stops in order and exits 0. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Sample the sensors and stream their readings to the gateway until stopped (SIGTERM, Ctrl-C).")
public final class RunCommand implements Callable<Integer> {
    @ParentCommand
    SensorClientMain parent;

    @Mixin
    ConfigFileOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        parent.logLevel().apply(); // before the first log line, or tinylog ignores it
        SensorClientConfig config;
        try {
            config = options.load();
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("sensor-client: " + e.getMessage());
            return CheckConfigCommand.CONFIG_ERROR;
        }
        SensorClient client = SensorClient.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(client), "shutdown"));
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
