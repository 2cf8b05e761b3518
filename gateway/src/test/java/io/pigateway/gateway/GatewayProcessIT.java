package io.pigateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.testing.TestDevice;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as an operator runs it: start-up, SIGTERM, exit codes, messages. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayProcessIT {
    static final Path JAR = Path.of("target/pi-gateway.jar");
    static final Pattern READY = Pattern.compile("ready in (\\d+) ms: listening on /([0-9.]+):(\\d+)");

    static Process launch(Path config, BlockingQueue<String> lines) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-jar", JAR.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true).start();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("[gateway] " + line);
                    lines.add(line);
                }
            } catch (Exception e) {
                lines.add("reader failed: " + e);
            }
        });
        return p;
    }

    static String await(BlockingQueue<String> lines, String contains) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.contains(contains)) {
                return line;
            }
        }
        throw new AssertionError("no line containing '" + contains + "' within 30 s");
    }

    @Test
    void sigtermAcknowledgesWhatWasReceivedAndExitsCleanly(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), String.join("\n",
                "listen.address = 127.0.0.1", "listen.port = 0", "store.type = embedded",
                "store.embedded-path = " + dir.resolve("store"), "log.stats-interval = 0s", ""));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Process p = launch(config, lines);
        try {
            Matcher m = READY.matcher(await(lines, "ready in"));
            assertTrue(m.find());
            System.out.println("gateway start-up to ready: " + m.group(1) + " ms (embedded store)");
            InetSocketAddress address = new InetSocketAddress(m.group(2), Integer.parseInt(m.group(3)));
            try (TestDevice d = TestDevice.connect(address, "proc", 5)) {
                d.sendRange(1, 1000, 100);
                d.awaitAck(1000, Duration.ofSeconds(20));
                d.sendRange(1001, 3000, 100);
                p.toHandle().destroy(); // SIGTERM (Process.destroy() would also close our end of its stdout)
                Message.Nack n = d.awaitNack(Duration.ofSeconds(20));
                assertEquals(NackCode.SHUTTING_DOWN, n.nackCode());
                assertTrue(d.lastAck() >= 1000);
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "gateway exits after SIGTERM");
            assertTrue(List.of(0, 143).contains(p.exitValue()), "exit code " + p.exitValue());
            await(lines, "stopped:");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aBadConfigurationExitsWithCode2NamingTheKeyAndValue(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "listen.port = 70000\n");
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Process p = launch(config, lines);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        await(lines, "key 'listen.port' = '70000' is invalid: must be from 0 to 65535");
    }

    @Test
    void anUnreachableDatabaseStopsStartUpWithExitCode1NamingTheServer(@TempDir Path dir) throws Exception {
        Path password = Files.writeString(dir.resolve("pw"), "x\n");
        Path config = Files.writeString(dir.resolve("gateway.conf"), String.join("\n",
                "listen.address = 127.0.0.1", "listen.port = 0", "store.type = mysql", "store.host = 127.0.0.1",
                "store.port = 1", "store.user = gateway", "store.password-file = " + password,
                "store.connect-timeout = 2s", ""));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Process p = launch(config, lines);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        String line = await(lines, "start-up failed");
        assertTrue(line.contains("127.0.0.1:1"), line);
    }
}
