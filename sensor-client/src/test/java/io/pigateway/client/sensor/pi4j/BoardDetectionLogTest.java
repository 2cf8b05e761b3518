package io.pigateway.client.sensor.pi4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.pigateway.client.sensor.SensorStartException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GPIO chip on a machine Pi4J does not recognise as a Pi: the operator sees the client's one line
 * saying so, not Pi4J's ERROR and WARN lines from its board detection before it. In a JVM of its own,
 * since Pi4J detects the board once per JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BoardDetectionLogTest {

    @Test
    void onAnUnknownBoardOnlyTheClientsOwnLineIsLogged(@TempDir Path dev) throws Exception {
        Path model = Path.of("/proc/device-tree/model");
        assumeFalse(Files.isReadable(model) && Files.readString(model).contains("Raspberry Pi"), "this is a Raspberry Pi");
        Files.createFile(dev.resolve("gpiochip0"));
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), OpenGpio.class.getName(), dev.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), out);
        assertTrue(lines.getFirst().startsWith("refused: Pi4J does not recognise this machine as a Raspberry Pi"), out);
    }

    /** Opens GPIO with {@code args[0]} standing in for /dev and prints the refusal. */
    static final class OpenGpio {
        public static void main(String[] args) {
            try {
                Pi4jIo.open(true, Set.of(), new DeviceFiles(Path.of(args[0]), f -> true, "pigw")).close();
                System.out.println("opened");
            } catch (SensorStartException e) {
                System.out.println("refused: " + e.getMessage());
            }
        }
    }
}
