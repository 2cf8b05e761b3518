package io.pigateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.pigateway.testing.GatewayProcess;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP ({@code systemctl reload}) makes the running gateway read its devices file again: a device
 * removed from it is disconnected, one added gets in, one that stays keeps streaming; a file that
 * does not load changes nothing. The gateway process keeps running (the JVM's default for SIGHUP
 * would be to exit).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReloadIT {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String KEEP = "secret-of-the-kept-pi";
    static final String GONE = "secret-of-the-removed-pi";
    static final String ADDED = "secret-of-the-added-pi";

    /**
     * A process started under nohup ignores SIGHUP, the gateway it starts inherits that, and the JVM
     * then leaves the signal ignored (what nohup asks for): nothing here could pass.
     */
    @BeforeEach
    void sighupIsNotIgnoredHere() throws IOException {
        String ignored = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("SigIgn:")).findFirst().orElse("SigIgn: 0").substring(7).strip();
        assumeFalse((Long.parseUnsignedLong(ignored, 16) & 1) != 0,
                "SIGHUP is ignored in this environment (started under nohup?); the gateway would inherit that");
    }

    @Test
    void sighupReloadsTheDevicesFileDisconnectingRemovedDevicesAndKeepsTheOldSetIfTheNewOneIsBad(@TempDir Path dir)
            throws Exception {
        Path devices = dir.resolve("devices");
        writePrivate(devices, "kept " + KEEP + "\nremoved " + GONE + "\n");
        Path config = Files.writeString(dir.resolve("gateway.conf"), String.join("\n",
                "listen.address = 127.0.0.1", "listen.port = 0", "store.type = embedded",
                "store.embedded-path = " + dir.resolve("store"), "log.stats-interval = 0s",
                "auth.devices-file = " + devices, ""));
        try (GatewayProcess p = GatewayProcess.start(GatewayProcessIT.JAR, config, "gateway")) {
            InetSocketAddress address = p.awaitReady();
            try (TestDevice kept = TestDevice.connect(address, "kept", 1, KEEP);
                 TestDevice removed = TestDevice.connect(address, "removed", 1, GONE)) {
                kept.sendRange(1, 10, 10);
                removed.sendRange(1, 10, 10);
                kept.awaitAck(10, WAIT);
                removed.awaitAck(10, WAIT);

                writePrivate(devices, "kept " + KEEP + "\nadded " + ADDED + "\n");
                hangUp(p);
                p.await("reloaded " + devices + ": 2 devices (before: 2 devices); 1 connected device(s) disconnected");
                Message.Nack n = removed.awaitNack(WAIT);
                assertEquals(NackCode.AUTHENTICATION_FAILED, n.nackCode());
                assertTrue(n.reason().contains("removed or changed in the devices file"), n.reason());
                assertEquals(10, removed.lastAck(), "what it sent before is acknowledged");

                kept.sendRange(11, 20, 10);
                assertEquals(20, kept.awaitAck(20, WAIT), "a device that stays listed keeps streaming");
                try (TestDevice added = TestDevice.connect(address, "added", 1, ADDED)) {
                    added.sendRange(1, 5, 5);
                    assertEquals(5, added.awaitAck(5, WAIT));
                }

                writePrivate(devices, "kept short\n"); // a secret under 16 characters: the file does not load
                hangUp(p);
                p.await("keeping the 2 devices loaded before");
                try (TestDevice added = TestDevice.connect(address, "added", 2, ADDED)) {
                    added.sendRange(1, 5, 5);
                    assertEquals(5, added.awaitAck(5, WAIT), "the old set still applies");
                }
                kept.sendRange(21, 30, 10);
                assertEquals(30, kept.awaitAck(30, WAIT));
            }
            assertTrue(!p.waitFor(0), "the gateway still runs after two SIGHUPs");
        }
    }

    @Test
    void aSighupDuringStartUpNeitherStopsTheGatewayNorIsLost(@TempDir Path dir) throws Exception {
        Path devices = dir.resolve("devices");
        writePrivate(devices, "kept " + KEEP + "\n");
        Path config = Files.writeString(dir.resolve("gateway.conf"), String.join("\n",
                "listen.address = 127.0.0.1", "listen.port = 0", "store.type = embedded",
                "store.embedded-path = " + dir.resolve("store"), "log.stats-interval = 0s",
                "auth.devices-file = " + devices, ""));
        try (GatewayProcess p = GatewayProcess.start(GatewayProcessIT.JAR, config, "gateway")) {
            p.await("applied schema migration 001"); // the store opens inside Gateway.start: not ready yet
            writePrivate(devices, "kept " + KEEP + "\nadded " + ADDED + "\n");
            hangUp(p);
            InetSocketAddress address = p.awaitReady();
            p.await("reloaded " + devices + ": 2 devices (before: 1 devices); 0 connected device(s) disconnected");
            try (TestDevice added = TestDevice.connect(address, "added", 1, ADDED)) {
                added.sendRange(1, 5, 5);
                assertEquals(5, added.awaitAck(5, WAIT), "the file as it was at the SIGHUP applies");
            }
        }
    }

    private static void hangUp(GatewayProcess p) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(tmp, content);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
