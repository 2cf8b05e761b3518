package io.pigateway.gateway.ingest.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Requests made by the curl program (a client nobody on this team wrote), each bounded to 20 s. */
final class Curl {
    /** What came back: the status, the headers (names in lower case) and the body. */
    record Answer(int status, Map<String, String> headers, String body) {
        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    private final InetSocketAddress server;
    private final Path dir;

    Curl(InetSocketAddress server, Path dir) {
        this.server = server;
        this.dir = dir;
    }

    String url(String pathAndQuery) {
        return "http://" + server.getAddress().getHostAddress() + ":" + server.getPort() + pathAndQuery;
    }

    /** {@code curl -X POST --data-binary @body [args] url}. */
    Answer post(String pathAndQuery, byte[] body, String... args) throws IOException, InterruptedException {
        Path file = Files.createTempFile(dir, "body", ".bin");
        Files.write(file, body);
        List<String> all = new ArrayList<>(List.of("-X", "POST", "--data-binary", "@" + file));
        all.addAll(List.of(args));
        all.add(url(pathAndQuery));
        return run(all);
    }

    Answer post(String pathAndQuery, String body, String... args) throws IOException, InterruptedException {
        return post(pathAndQuery, body.getBytes(StandardCharsets.UTF_8), args);
    }

    Answer run(List<String> args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path headers = Files.createTempFile(dir, "headers", ".txt");
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-o", out.toString(),
                "-D", headers.toString(), "-w", "%{http_code}"));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        if (!p.waitFor(25, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("curl did not finish in 25 s: " + command);
        }
        String code = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("curl exited with " + p.exitValue() + ": " + err + " " + command);
        }
        Map<String, String> h = new HashMap<>();
        for (String line : Files.readAllLines(headers, StandardCharsets.ISO_8859_1)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                h.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
        }
        return new Answer(Integer.parseInt(code), h, Files.readString(out, StandardCharsets.UTF_8));
    }
}
