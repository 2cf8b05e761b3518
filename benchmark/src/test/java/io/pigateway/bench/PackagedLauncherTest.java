package io.pigateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark takes the gateway's JVM options from the launcher script itself, case by case. */
class PackagedLauncherTest {

    @Test
    void readsEachProgramsOwnDefaultOptionsFromItsCase(@TempDir Path dir) throws IOException {
        Path script = Files.writeString(dir.resolve("launcher"), String.join("\n", "#!/bin/sh",
                "case $name in", "pi-gateway)", "    # a comment", "    default_opts='-Xmx96m -XX:+UseSerialGC'",
                "    ;;", "pi-sensor-client)", "    default_opts='-Xmx24m  -Xss256k'", "    ;;", "esac", ""));
        assertEquals(List.of("-Xmx96m", "-XX:+UseSerialGC"), PackagedLauncher.defaultOptions(script, "pi-gateway"));
        assertEquals(List.of("-Xmx24m", "-Xss256k"), PackagedLauncher.defaultOptions(script, "pi-sensor-client"));
    }

    @Test
    void aProgramWithoutACaseIsAnErrorNamingTheScript(@TempDir Path dir) throws IOException {
        Path script = Files.writeString(dir.resolve("launcher"), "case $name in\nother)\n    default_opts='-Xmx1m'\nesac\n");
        IOException e = assertThrows(IOException.class, () -> PackagedLauncher.defaultOptions(script, "pi-gateway"));
        assertTrue(e.getMessage().contains(script.toString()), e.getMessage());
    }

    @Test
    void thePackagedLauncherGivesTheGatewayASmallSerialHeap() throws IOException {
        List<String> options = PackagedLauncher.defaultOptions(Path.of("../deploy/src/bin/launcher"), "pi-gateway");
        assertTrue(options.stream().anyMatch(o -> o.startsWith("-Xmx")), options.toString());
        assertTrue(options.contains("-XX:+ExitOnOutOfMemoryError"), options.toString());
    }
}
