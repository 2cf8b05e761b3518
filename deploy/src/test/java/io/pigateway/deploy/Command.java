package io.pigateway.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An external command run to completion within a time limit, its stdout and stderr captured together. */
final class Command {
    private final List<String> args;
    private final Map<String, String> env = new HashMap<>();
    private boolean clearEnv;
    private Path dir;

    private Command(List<String> args) {
        this.args = args;
    }

    static Command of(String... args) {
        return new Command(new ArrayList<>(Arrays.asList(args)));
    }

    static Command of(List<String> args) {
        return new Command(new ArrayList<>(args));
    }

    /** Starts from an empty environment instead of this JVM's. */
    Command cleanEnv() {
        clearEnv = true;
        return this;
    }

    Command env(String key, String value) {
        env.put(key, value);
        return this;
    }

    Command envAll(Map<String, String> variables) {
        env.putAll(variables);
        return this;
    }

    Command in(Path directory) {
        dir = directory;
        return this;
    }

    /** Runs it; fails the test if it does not end within {@code timeout}. */
    Result run(Duration timeout) throws IOException, InterruptedException {
        Process p = start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(args + " did not finish within " + timeout.toSeconds() + " s");
        }
        return new Result(p.exitValue(), output.join());
    }

    /** Starts it and leaves it running; stderr goes into stdout. */
    Process start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
        if (clearEnv) {
            pb.environment().clear();
        }
        pb.environment().putAll(env);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        return pb.start();
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    /** Exit status and everything printed. */
    record Result(int exit, String output) {
        Result expect(int status) {
            if (exit != status) {
                throw new AssertionError("exit status " + exit + ", expected " + status + "; output:\n" + output);
            }
            return this;
        }
    }

    /** Whether {@code name} is an executable on this JVM's PATH. */
    static boolean onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return true;
            }
        }
        return false;
    }
}
