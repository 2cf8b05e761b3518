package io.pigateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.testing.GatewayProcess;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as an operator runs it: start-up, SIGTERM, exit codes, messages. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayProcessIT {
    static final Path JAR = Path.of("target/pi-gateway.jar");

    @Test
    void sigtermAcknowledgesWhatWasReceivedAndExitsCleanly(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), String.join("\n",
                "listen.address = 127.0.0.1", "listen.port = 0", "store.type = embedded",
                "store.embedded-path = " + dir.resolve("store"), "log.stats-interval = 0s", "auth.mode = open", ""));
        try (GatewayProcess p = GatewayProcess.start(JAR, config, "gateway")) {
            InetSocketAddress address = p.awaitReady();
            System.out.println("gateway start-up to ready (embedded store): " + p.readyMillis() + " ms");
            try (TestDevice d = TestDevice.connect(address, "proc", 5)) {
                d.sendRange(1, 1000, 100);
                d.awaitAck(1000, Duration.ofSeconds(20));
                d.sendRange(1001, 3000, 100);
                p.terminate();
                Message.Nack n = d.awaitNack(Duration.ofSeconds(20));
                assertEquals(NackCode.SHUTTING_DOWN, n.nackCode());
                assertTrue(d.lastAck() >= 1000);
            }
            assertTrue(p.waitFor(30), "gateway exits after SIGTERM");
            assertTrue(List.of(0, 143).contains(p.exitValue()), "exit code " + p.exitValue());
            p.await("stopped:");
        }
    }

    @Test
    void aBadConfigurationExitsWithCode2NamingTheKeyAndValue(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "listen.port = 70000\nauth.mode = open\n");
        try (GatewayProcess p = GatewayProcess.start(JAR, config, "gateway")) {
            p.await("key 'listen.port' = '70000' is invalid: must be from 0 to 65535");
            assertTrue(p.waitFor(30));
            assertEquals(2, p.exitValue());
        }
    }

    @Test
    void anUnreachableDatabaseStopsStartUpWithExitCode1NamingTheServer(@TempDir Path dir) throws Exception {
        Path password = Files.writeString(dir.resolve("pw"), "x\n");
        Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path config = Files.writeString(dir.resolve("gateway.conf"), String.join("\n",
                "listen.address = 127.0.0.1", "listen.port = 0", "store.type = mysql", "store.host = 127.0.0.1",
                "store.port = 1", "store.user = gateway", "store.password-file = " + password,
                "store.connect-timeout = 2s", "auth.mode = open", ""));
        try (GatewayProcess p = GatewayProcess.start(JAR, config, "gateway")) {
            String line = p.await("start-up failed");
            assertTrue(line.contains("127.0.0.1:1"), line);
            assertTrue(p.waitFor(60));
            assertEquals(1, p.exitValue());
        }
    }
}
