package io.pigateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.testing.GatewayProcess;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/SYSTEMD.md's "Trying it without installing units" writes a configuration with one printf
 * line: that very line, run by a shell, makes a configuration the gateway starts with (on another
 * port, so the test never collides with a gateway on 4711).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SystemdDocExampleIT {
    private static final Path DOC = Path.of("../docs/SYSTEMD.md");

    @Test
    void theDocumentedTryConfigurationStartsAGateway(@TempDir Path dir) throws Exception {
        List<String> printf = Files.readAllLines(DOC).stream().filter(l -> l.startsWith("printf ")).toList();
        assertEquals(1, printf.size(), "one printf line in " + DOC + ": " + printf);
        String line = printf.getFirst();
        assertTrue(line.endsWith("> /tmp/pigw-try.conf"), line);
        Path config = dir.resolve("pigw-try.conf");
        // $PWD is the checkout's root in the doc; here the test's directory, so the store lands there.
        Process sh = new ProcessBuilder("sh", "-c", line.replace("/tmp/pigw-try.conf", "\"$1\""), "sh", config.toString())
                .directory(dir.toFile()).inheritIO().start();
        assertTrue(sh.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, sh.exitValue());

        try (GatewayProcess p = GatewayProcess.start(GatewayProcessIT.JAR, config, "try",
                Map.of("PIGW_GATEWAY_LISTEN_PORT", "0"), UnaryOperator.identity())) {
            InetSocketAddress listening = p.awaitReady();
            assertEquals("127.0.0.1", listening.getAddress().getHostAddress(), "an open gateway stays on loopback");
        }
        assertTrue(Files.isDirectory(dir.resolve("demo-data")), "the store under $PWD/demo-data");
    }
}
