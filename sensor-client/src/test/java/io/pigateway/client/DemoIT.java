package io.pigateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.pigateway.testing.Await;
import java.time.Duration;
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
        ProcessBuilder pb = new ProcessBuilder("bash", "bin/demo", "--seconds", "15")
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().put("PIGW_DEMO_PORT", Integer.toString(freePort()));
        int httpPort = freePort(); // the default, the demo port + 1, may be taken on a busy machine
        pb.environment().put("PIGW_DEMO_HTTP_PORT", Integer.toString(httpPort));
        pb.environment().put("PIGW_DEMO_INGEST_PORT", Integer.toString(freePort()));
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
        // The command the demo prints for looking at the data works as printed.
        String[] lines = out.split("\n");
        int at = java.util.Arrays.asList(lines).indexOf("demo: to look at them (the gateway must be stopped: H2 lets one"
                + " process open the file at a time):");
        assertTrue(at >= 0 && at + 2 < lines.length, out);
        String command = lines[at + 1].replace("\\", "").strip() + " " + lines[at + 2].strip();
        Process shell = new ProcessBuilder("bash", "-c", command).directory(repo.toFile()).redirectErrorStream(true).start();
        String rows = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(shell.waitFor(30, TimeUnit.SECONDS), "H2 shell ends");
        assertEquals(0, shell.exitValue(), rows);
        assertTrue(rows.contains("demo-pi-1 | temperature"), rows);
        assertTrue(out.contains("the status page is at http://127.0.0.1:" + httpPort + "/"), "the page's address");
    }

    @Test
    void theDemoRefusesATakenPortWithTheReasonAndLeavesNothingRunning(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Path data = dir.resolve("demo-data");
            Path output = dir.resolve("demo.out");
            ProcessBuilder pb = new ProcessBuilder("bash", "bin/demo", "--seconds", "5")
                    .directory(Path.of("..").toAbsolutePath().normalize().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            pb.environment().put("PIGW_DEMO_PORT", Integer.toString(taken.getLocalPort()));
            pb.environment().put("PIGW_DEMO_DIR", data.toString());
            Process p = pb.start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "demo gives up by itself");
            String out = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains("port " + taken.getLocalPort() + " on 127.0.0.1 is already in use"), out);
            assertTrue(!out.contains("clients connected"), out);
            // No gateway or client of this demo (they all name its directory on their command line) is left.
            assertEquals(0, demoProcesses(data).count(), "processes of the demo still running");
        }
    }

    @Test
    void aSensorClientThatCannotStartStopsTheDemoWithTheClientsOwnError(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("demo-data");
        Path output = dir.resolve("demo.out");
        ProcessBuilder pb = demo(data, output, "--seconds", "30");
        pb.environment().put("PIGW_CLIENT_SEND_FRAME_MAX_READINGS", "0"); // every client refuses its configuration
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "demo gives up by itself");
            String out = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains("demo: sensor client demo-pi-1 exited"), out);
            assertTrue(out.contains("PIGW_CLIENT_SEND_FRAME_MAX_READINGS"), "the client's own error is shown: " + out);
            assertTrue(!out.contains("clients connected"), out);
            assertEquals(0, demoProcesses(data).count(), "processes of the demo still running");
        } finally {
            demoProcesses(data).forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void whenTheGatewayDiesTheDemoStopsItsClientsAndExitsNonZero(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("demo-data");
        Path output = dir.resolve("demo.out");
        Process p = demo(data, output).start();
        try {
            Await.until("demo started its clients", Duration.ofSeconds(60), () -> read(output).contains("clients connected"));
            ProcessHandle gateway = demoProcesses(data)
                    .filter(h -> h.info().commandLine().orElse("").contains("pi-gateway.jar"))
                    .findFirst()
                    .orElseThrow();
            gateway.destroyForcibly();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "demo ends when its gateway dies");
            String out = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains("the gateway exited unexpectedly"), out);
            assertEquals(0, demoProcesses(data).count(), "processes of the demo still running");
        } finally {
            demoProcesses(data).forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** The gateway and clients of one demo: each names the demo's directory on its command line. */
    /** bin/demo with {@code args}, on free ports, its data in {@code data}, its output to {@code output}. */
    private static ProcessBuilder demo(Path data, Path output, String... args) throws IOException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("bash", "bin/demo"));
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(Path.of("..").toAbsolutePath().normalize().toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().put("PIGW_DEMO_PORT", Integer.toString(freePort()));
        pb.environment().put("PIGW_DEMO_HTTP_PORT", Integer.toString(freePort()));
        pb.environment().put("PIGW_DEMO_INGEST_PORT", Integer.toString(freePort()));
        pb.environment().put("PIGW_DEMO_DIR", data.toString());
        return pb;
    }

    private static java.util.stream.Stream<ProcessHandle> demoProcesses(Path data) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains(data.toString()))
                .filter(h -> !h.info().commandLine().orElse("").startsWith("bash"));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
