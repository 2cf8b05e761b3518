package io.pigateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code gateway check-config} as an operator runs it, with the environment overriding the file. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CheckConfigIT {

    record Result(int exit, String output) { }

    static Result checkConfig(Path config, Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", GatewayProcessIT.JAR.toString(), "check-config", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PIGW_GATEWAY_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "check-config did not finish");
        return new Result(p.exitValue(), out);
    }

    @Test
    void anEnvironmentVariableOverridesTheFileAndIsReported(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "listen.port = 4711\nauth.mode = open\n");
        Result r = checkConfig(config, Map.of("PIGW_GATEWAY_LISTEN_PORT", "5123"));
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("listen.port from environment variable PIGW_GATEWAY_LISTEN_PORT"), r.output());
        assertTrue(r.output().contains("5123"), r.output());
    }

    @Test
    void aBadValueInTheEnvironmentExitsWithCode2NamingTheVariable(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "listen.port = 4711\nauth.mode = open\n");
        Result r = checkConfig(config, Map.of("PIGW_GATEWAY_WRITER_THREADS", "lots"));
        assertEquals(2, r.exit(), r.output());
        assertTrue(r.output().contains("environment variable PIGW_GATEWAY_WRITER_THREADS (overrides key 'writer.threads'"),
                r.output());
    }

    @Test
    void aMisspeltVariableIsAnErrorNotSilence(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "listen.port = 4711\nauth.mode = open\n");
        Result r = checkConfig(config, Map.of("PIGW_GATEWAY_LISTEN_PROT", "5123"));
        assertEquals(2, r.exit(), r.output());
        assertTrue(r.output().contains("PIGW_GATEWAY_LISTEN_PROT names no configuration key"), r.output());
    }

    @Test
    void aMissingFileExitsWithCode2NamingThePath(@TempDir Path dir) throws Exception {
        Result r = checkConfig(dir.resolve("nope.conf"), Map.of());
        assertEquals(2, r.exit(), r.output());
        assertTrue(r.output().contains(dir.resolve("nope.conf") + " does not exist"), r.output());
    }
}
