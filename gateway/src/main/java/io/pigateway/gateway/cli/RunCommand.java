package io.pigateway.gateway.cli;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.gateway.GatewayMain;
import io.pigateway.common.logging.LogLevel;
import io.pigateway.common.systemd.SystemdNotifier;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.Hangup;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import io.pigateway.gateway.SystemdSupervision;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.store.StoreException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tinylog.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pi-gateway run}: the gateway until SIGTERM, with systemd readiness and SIGHUP reloads. */
@Command(name = "run", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Run the gateway until stopped (SIGTERM, Ctrl-C).")
public final class RunCommand extends ConfigFileOptions implements Callable<Integer> {
    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = {"trace, debug, info, warn or error", "(default: log.level, else info)"})
    LogLevel logLevel;

    @Override
    public Integer call() throws InterruptedException {
        GatewayConfig config;
        try {
            Settings settings = settings();
            if (logLevel != null) {
                settings = settings.with(Map.of("log.level", logLevel.key()));
            }
            settings.choice("log.level", LogLevel.class, LogLevel.INFO).apply(GatewayMain.NAME);
            config = GatewayConfig.from(settings);
        } catch (ConfigException e) {
            System.err.println(GatewayMain.NAME + ": " + e.getMessage());
            return GatewayMain.EXIT_BAD_CONFIG;
        }
        // Before start-up, so that a SIGHUP right after the ready line (systemctl reload, a test) never
        // meets the JVM's default for it, which runs the shutdown hooks and exits (seen in ReloadIT).
        // One during start-up is done as soon as the gateway runs.
        AtomicReference<Gateway> started = new AtomicReference<>();
        AtomicBoolean pending = new AtomicBoolean();
        Hangup.handle(() -> {
            Gateway g = started.get();
            if (g == null) {
                pending.set(true);
                Logger.info("SIGHUP during start-up: reloading once the gateway is ready");
            } else {
                g.reload(); // reads the devices file and the TLS files again (docs/SECURITY.md, docs/TLS.md)
            }
        });
        Gateway gateway;
        try {
            gateway = Gateway.start(config);
            started.set(gateway);
            if (pending.getAndSet(false)) {
                gateway.reload();
            }
        } catch (StoreException | IOException e) {
            Logger.error("start-up failed: {}", e.getMessage());
            return GatewayMain.EXIT_START_FAILED;
        }
        SystemdSupervision systemd = SystemdSupervision.ready(gateway, SystemdNotifier.fromEnvironment());
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("gateway-shutdown").unstarted(() -> {
            systemd.stopping();
            gateway.close();
            GatewayMain.shutdownLogging();
        }));
        gateway.awaitStopped();
        return GatewayMain.EXIT_OK;
    }
}
