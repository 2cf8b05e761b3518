package io.pigateway.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Mosquitto ({@code /usr/sbin/mosquitto}, bin/test installs it) as a process of the test's own,
 * never the system service: on a free loopback port, with its own configuration file, persistence on
 * (its database in the test's directory, written when it stops), and a queue per client large enough
 * that the broker never drops a message the tests count. Its log is {@code mosquitto.log} in that directory.
 */
public final class MosquittoBroker implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    public static final Path PUB = Path.of("/usr/bin/mosquitto_pub");

    private final Path dir;
    private final int port;
    private final List<String> extraConfig;
    private Process process;

    private MosquittoBroker(Path dir, int port, List<String> extraConfig) {
        this.dir = dir;
        this.port = port;
        this.extraConfig = extraConfig;
    }

    /**
     * Starts a broker; {@code extraConfig} lines are appended to its configuration (without a
     * {@code password_file} or {@code allow_anonymous} among them, anyone may connect).
     */
    public static MosquittoBroker start(Path dir, String... extraConfig) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MosquittoBroker broker = new MosquittoBroker(dir, port, List.of(extraConfig));
        broker.start();
        return broker;
    }

    public void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the broker runs already");
        }
        List<String> lines = new ArrayList<>(List.of(
                "listener " + port + " 127.0.0.1",
                "persistence true",
                "persistence_location " + dir + "/",
                // Run as the user running the tests (as root, Mosquitto would switch to user mosquitto,
                // which cannot write the test's directory).
                "user " + System.getProperty("user.name"),
                // Mosquitto's default of 1000 queued messages per client would drop messages while the
                // gateway is down; docs/INGEST.md (MQTT) tells operators the same.
                "max_queued_messages 1000000",
                "log_dest file " + dir.resolve("mosquitto.log"),
                "log_type all"));
        if (extraConfig.stream().noneMatch(l -> l.startsWith("allow_anonymous") || l.startsWith("password_file"))) {
            lines.add("allow_anonymous true");
        }
        // Listener options (cafile, certfile, keyfile) apply to the listener above them: the one listener.
        lines.addAll(extraConfig);
        Path config = dir.resolve("mosquitto.conf");
        Files.write(config, lines, StandardCharsets.UTF_8);
        process = new ProcessBuilder(BINARY.toString(), "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        awaitListening();
    }

    private void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IOException("mosquitto exited with " + process.exitValue() + ": "
                            + Files.readString(dir.resolve("mosquitto.out")));
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("mosquitto is not listening on port " + port + " after 10 s", e);
                }
                Thread.sleep(20);
            }
        }
    }

    /** SIGTERM and wait: Mosquitto writes its persistence database as it stops. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.toHandle().destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.toHandle().destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A clean restart on the same port with the same persistence: sessions and queued messages survive. */
    public void restart() throws IOException, InterruptedException {
        stop();
        start();
    }

    public int port() {
        return port;
    }

    public URI uri() {
        return URI.create("tcp://127.0.0.1:" + port);
    }

    /** The broker's address for a client that speaks TLS to it (a broker started with certfile and keyfile). */
    public URI tlsUri() {
        return URI.create("ssl://127.0.0.1:" + port);
    }

    /** A Mosquitto password file ({@code mosquitto_passwd -b}) with these users and passwords, in pairs. */
    public static Path passwordFile(Path file, String... usersAndPasswords) throws IOException, InterruptedException {
        Files.deleteIfExists(file);
        Files.createFile(file);
        for (int i = 0; i < usersAndPasswords.length; i += 2) {
            Process p = new ProcessBuilder("/usr/bin/mosquitto_passwd", "-b", file.toString(), usersAndPasswords[i],
                    usersAndPasswords[i + 1]).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("mosquitto_passwd failed: "
                        + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return file;
    }

    /** The broker's log so far. */
    public String log() throws IOException {
        Path log = dir.resolve("mosquitto.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /**
     * Publishes one message with {@code mosquitto_pub} at QoS 1, with more of its {@code options} (user,
     * password, CA file); returns when the broker acknowledged it (mosquitto_pub exits 0 after the PUBACK).
     */
    public void publish(String topic, String payload, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PUB.toString(), "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-q", "1", "-t", topic, "-m", payload));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("mosquitto_pub did not finish within 10 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("mosquitto_pub exited with " + p.exitValue() + ": "
                    + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
