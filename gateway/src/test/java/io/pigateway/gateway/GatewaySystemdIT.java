package io.pigateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.logging.JournalStdout;
import io.pigateway.common.systemd.NotifySocket;
import io.pigateway.testing.GatewayProcess;
import io.pigateway.testing.TestDevice;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged gateway as systemd runs it: Type=notify readiness, the watchdog, STOPPING, journal priorities. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GatewaySystemdIT {
    static final Path JAR = Path.of("target/pi-gateway.jar");

    private static Path config(Path dir, int port) throws Exception {
        return Files.writeString(dir.resolve("gateway.conf"), String.join("\n",
                "listen.address = 127.0.0.1", "listen.port = " + port, "store.type = embedded",
                "store.embedded-path = " + dir.resolve("store"), "log.stats-interval = 0s", "auth.mode = open", ""));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void readyOnlyOnceTheListenerAcceptsThenWatchdogPingsThenStoppingAfterSigterm(@TempDir Path dir) throws Exception {
        int port = freePort();
        try (NotifySocket systemd = NotifySocket.atPath(dir);
             GatewayProcess p = GatewayProcess.start(JAR, config(dir, port), "gateway",
                     Map.of("NOTIFY_SOCKET", systemd.address(), "WATCHDOG_USEC", "500000",
                             "JOURNAL_STREAM", "8:1"), // inherited from elsewhere: not our stdout
                     UnaryOperator.identity())) {
            NotifySocket.Received ready = systemd.await("READY=1", Duration.ofSeconds(30));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000); // at once: READY means accepting
            }
            assertTrue(ready.text().startsWith("READY=1\nSTATUS=listening on 127.0.0.1:" + port
                    + ", storing in embedded H2 store at "), ready.text());

            List<NotifySocket.Received> after = systemd.drain(Duration.ofSeconds(2));
            long pings = after.stream().filter(r -> r.text().equals("WATCHDOG=1")).count();
            System.out.println("watchdog pings in 2 s with WATCHDOG_USEC=500000: " + pings);
            assertTrue(pings >= 5 && pings <= 10, "one ping per 250 ms: " + after);
            assertEquals(pings, after.size(), "nothing but pings: " + after);

            p.terminate();
            systemd.await("STOPPING=1", Duration.ofSeconds(10));
            assertTrue(p.waitFor(30), "gateway exits after SIGTERM");
            p.await("stopped:");
            assertTrue(p.output().stream().anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  .*ready in.*")),
                    "a JOURNAL_STREAM that is not our stdout keeps the console format");
        }
    }

    @Test
    void underTheJournalEveryLineStartsWithItsSyslogPriorityAndHasNoTimestamp(@TempDir Path dir) throws Exception {
        try (GatewayProcess p = GatewayProcess.start(JAR, config(dir, 0), "gateway", Map.of(), JournalStdout::wrap)) {
            InetSocketAddress address = p.awaitReady();
            try (TestDevice d = TestDevice.open(address)) {
                d.sendRaw("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)); // refused with one WARN line
                d.awaitNack(Duration.ofSeconds(10));
            }
            p.await("MALFORMED_FRAME");
            p.terminate();
            assertTrue(p.waitFor(30));
            p.await("stopped:");
            List<String> out = p.output();
            assertTrue(out.stream().anyMatch(l -> l.startsWith("<6>INFO  [main] ready in ")), String.join("\n", out));
            assertTrue(out.stream().anyMatch(l -> l.startsWith("<4>WARN  [conn-") && l.contains("MALFORMED_FRAME")),
                    String.join("\n", out));
            for (String line : out) {
                assertTrue(line.matches("<[3467]>(ERROR|WARN |INFO |DEBUG|TRACE) \\[.*"),
                        "every line has a priority and no timestamp: '" + line + "'");
            }
        }
    }
}
