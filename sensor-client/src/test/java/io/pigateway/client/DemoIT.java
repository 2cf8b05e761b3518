package io.pigateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, as a newcomer runs it: it starts, readings arrive, it stops. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoIT {

    @Test
    void theDemoStartsShowsReadingsFromThreeClientsAndStopsCleanly(@TempDir Path dir) throws Exception {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Path output = dir.resolve("demo.out");
        ProcessBuilder pb = new ProcessBuilder("bash", "bin/demo", "--seconds", "12")
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().put("PIGW_DEMO_PORT", Integer.toString(freePort()));
        pb.environment().put("PIGW_DEMO_DIR", dir.resolve("demo-data").toString());
        // The demo must find a Java 21+ by itself, like on a fresh machine: do not hand it ours.
        pb.environment().remove("JAVA_HOME");
        Process p = pb.start();
        boolean exited = p.waitFor(90, TimeUnit.SECONDS);
        String out = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println(out);
        assertTrue(exited, "demo stops by itself after --seconds");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ready in"), "gateway reported ready");
        for (int n = 1; n <= 3; n++) {
            assertTrue(out.contains("demo-pi-" + n + " committed seq"), "readings of demo-pi-" + n + " arrived");
        }
        assertTrue(out.contains("stopped:"), "gateway stopped cleanly");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
