package io.pigateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SensorClientMainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return SensorClientMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void checkConfigPrintsTheEffectiveConfigurationAndExitsZero() {
        int code = run("check-config", "--config", "src/main/dist/sensor-client.conf", "--device-id", "demo-2");
        assertEquals(0, code, err.toString());
        String text = out.toString();
        assertTrue(text.startsWith("# src/main/dist/sensor-client.conf is valid; effective configuration:"), text);
        assertTrue(text.contains("\ndevice.id = demo-2\n"), text);
        assertTrue(text.contains("\nreconnect.backoff-max = 30s\n"), text);
        assertTrue(text.contains("\nsensor.door.flip-probability = 0.02\n"), text);
    }

    @Test
    void checkConfigPrintsTheErrorAndExitsTwo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "device.id = pi-1\ngateway.addresses = gw:4711\nsensor.t.type = toggle\nsend.batch-max-wait = 1\n");
        assertEquals(2, run("check-config", "--config", file.toString()));
        assertEquals("sensor-client: " + file + ": key 'send.batch-max-wait' = '1' is invalid: must be a number with"
                + " a unit: ms, s, m or h (e.g. 250ms, 10s)", err.toString().strip());
        assertEquals("", out.toString());
    }

    @Test
    void missingFileIsAConfigurationError(@TempDir Path dir) {
        assertEquals(2, run("check-config", "--config", dir.resolve("nope.conf").toString()));
        assertTrue(err.toString().contains("nope.conf does not exist"), err.toString());
    }

    @Test
    void anUnusableSpoolDirectoryStopsStartUpWithItsPathAndExitCodeFour(@TempDir Path dir) throws Exception {
        Path spool = dir.resolve("missing-parent/spool");
        Path file = dir.resolve("c.conf");
        Files.writeString(file, "device.id = pi-1\ngateway.addresses = 127.0.0.1:9\nsensor.t.type = toggle\n"
                + "spool.dir = " + spool + "\n");
        assertEquals(4, run("run", "--config", file.toString()));
        assertTrue(err.toString().contains("sensor-client: not started: spool.dir " + spool + " does not exist"),
                err.toString());
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertEquals(2, run("run", "--colour"));
        assertTrue(err.toString().contains("Unknown option: '--colour'"), err.toString());
    }

    @Test
    void logLevelIsAcceptedBeforeOrAfterTheSubcommand() {
        assertEquals(0, run("--log-level", "DEBUG", "check-config", "--config", "src/main/dist/sensor-client.conf"));
        assertEquals(0, run("check-config", "--log-level", "warn", "--config", "src/main/dist/sensor-client.conf"));
        assertEquals(2, run("check-config", "--log-level", "loud", "--config", "src/main/dist/sensor-client.conf"));
    }
}
