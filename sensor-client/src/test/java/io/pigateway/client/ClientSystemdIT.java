package io.pigateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.logging.JournalStdout;
import io.pigateway.common.systemd.NotifySocket;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged client as systemd runs it, with simulated sensors and no gateway to reach: READY once
 * sampling runs, watchdog pings all the same (an unreachable gateway is not a hang), STOPPING=1 on
 * SIGTERM, and journal priorities on every line.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClientSystemdIT {
    static final Path JAR = Path.of("target/pi-sensor-client.jar");

    @Test
    void readyWhenSamplingRunsWatchdogWhileTheGatewayIsUnreachableStoppingOnSigterm(@TempDir Path dir) throws Exception {
        int nobody;
        try (ServerSocket s = new ServerSocket(0)) {
            nobody = s.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("sensor-client.conf"), String.join("\n",
                "device.id = systemd-pi", "spool.dir = " + dir.resolve("spool"), "gateway.addresses = 127.0.0.1:" + nobody,
                "reconnect.backoff-min = 100ms", "reconnect.backoff-max = 1s", "shutdown.ack-wait = 1s",
                "sensor.temperature.type = temperature", "sensor.temperature.interval = 100ms",
                "sensor.door.type = toggle", "sensor.door.interval = 100ms", ""));
        String java = ProcessHandle.current().info().command().orElse("java");
        try (NotifySocket systemd = NotifySocket.abstractName()) {
            ProcessBuilder pb = new ProcessBuilder(JournalStdout.wrap(List.of(java, "-Xmx64m", "-jar", JAR.toString(),
                    "run", "--config", config.toString()))).redirectErrorStream(true);
            pb.environment().put("NOTIFY_SOCKET", systemd.address());
            pb.environment().put("WATCHDOG_USEC", "500000");
            Process p = pb.start();
            List<String> out = Collections.synchronizedList(new ArrayList<>());
            Thread output = Thread.ofVirtual().start(() -> {
                try (var r = p.inputReader()) {
                    r.lines().forEach(line -> {
                        System.out.println("[client] " + line);
                        out.add(line);
                    });
                } catch (Exception e) {
                    // the process is gone
                }
            });
            try {
                NotifySocket.Received ready = systemd.await("READY=1", Duration.ofSeconds(30));
                assertTrue(ready.text().startsWith("READY=1\nSTATUS=device systemd-pi: sampling 2 sensor(s) into the"
                        + " spool "), ready.text());
                assertTrue(ready.text().endsWith("sending to gateway 127.0.0.1:" + nobody), ready.text());

                List<NotifySocket.Received> after = systemd.drain(Duration.ofSeconds(3));
                long pings = after.stream().filter(r -> r.text().equals("WATCHDOG=1")).count();
                System.out.println("client watchdog pings in 3 s with WATCHDOG_USEC=500000, gateway unreachable: " + pings);
                assertTrue(pings >= 9 && pings <= 14, "one ping per 250 ms: " + after);
                assertEquals(pings, after.size(), "nothing but pings: " + after);

                p.toHandle().destroy(); // SIGTERM
                systemd.await("STOPPING=1", Duration.ofSeconds(10));
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the client stops after SIGTERM");
                assertEquals(0, p.exitValue());
            } finally {
                p.toHandle().destroyForcibly();
            }
            assertTrue(output.join(Duration.ofSeconds(10)), "the client's output ends when it has exited");
            List<String> lines;
            synchronized (out) {
                lines = List.copyOf(out);
            }
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("<4>WARN  [gateway-link] gateway 127.0.0.1:" + nobody
                    + " unreachable")), String.join("\n", lines));
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("<6>INFO  [shutdown] stopped: ")), String.join("\n", lines));
            for (String line : lines) {
                assertTrue(line.matches("<[3467]>(ERROR|WARN |INFO |DEBUG|TRACE) \\[.*"),
                        "every line has a priority and no timestamp: '" + line + "'");
            }
        }
    }
}
