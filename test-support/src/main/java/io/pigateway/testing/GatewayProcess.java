package io.pigateway.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged gateway jar in a JVM of its own, as an operator runs it, so tests can send it
 * SIGTERM or kill it with SIGKILL. Its output is echoed with a prefix and kept for {@link #await}.
 */
public final class GatewayProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("ready in (\\d+) ms: listening on [^/]*/([0-9a-f.:]+):(\\d+)");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private long readyMillis = -1;

    private GatewayProcess(Process process, String label) {
        this.process = process;
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (label != null) {
                        System.out.println("[" + label + "] " + line);
                    }
                    lines.add(line);
                    output.add(line);
                }
            } catch (Exception e) {
                lines.add("output reader failed: " + e);
            }
        });
    }

    /** Starts {@code java -jar <jar> run --config <config>} with the JVM running the tests. */
    public static GatewayProcess start(Path jar, Path config, String label) throws Exception {
        return start(jar, config, label, List.of("-Xmx128m"), true);
    }

    /** As {@link #start(Path, Path, String)}, with these JVM options; {@code echo} copies its output to ours. */
    public static GatewayProcess start(Path jar, Path config, String label, List<String> jvmOptions, boolean echo)
            throws Exception {
        return start(jar, config, label, jvmOptions, echo, Map.of(), UnaryOperator.identity());
    }

    /**
     * As {@link #start(Path, Path, String)}, with these variables added to its environment and its
     * command line passed through {@code wrapper} (e.g. a shell that sets more and then execs it).
     */
    public static GatewayProcess start(Path jar, Path config, String label, Map<String, String> env,
                                       UnaryOperator<List<String>> wrapper) throws Exception {
        return start(jar, config, label, List.of("-Xmx128m"), true, env, wrapper);
    }

    /** With these JVM options and these variables added to its environment; {@code echo} copies its output to ours. */
    public static GatewayProcess start(Path jar, Path config, String label, List<String> jvmOptions, boolean echo,
                                       Map<String, String> env, UnaryOperator<List<String>> wrapper) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "run", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(wrapper.apply(command)).redirectErrorStream(true);
        pb.environment().putAll(env);
        return new GatewayProcess(pb.start(), echo ? label : null);
    }

    /** Every line it has printed so far (stdout and stderr), whether or not {@link #await} took it. */
    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** The next output line containing {@code text}, waiting up to 30 s. */
    public String await(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.contains(text)) {
                return line;
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                throw new AssertionError("the gateway exited with " + process.exitValue() + " before printing '" + text + "'");
            }
        }
        throw new AssertionError("no line containing '" + text + "' within 30 s");
    }

    /** Waits for the ready line and returns the address it listens on. */
    public InetSocketAddress awaitReady() throws InterruptedException {
        Matcher m = READY.matcher(await("ready in"));
        if (!m.find()) {
            throw new AssertionError("cannot parse the ready line");
        }
        readyMillis = Long.parseLong(m.group(1));
        return new InetSocketAddress(m.group(2), Integer.parseInt(m.group(3)));
    }

    /** Start-up to ready as the gateway reported it, once {@link #awaitReady()} has seen it. */
    public long readyMillis() {
        return readyMillis;
    }

    /** SIGTERM. (Process.destroy() would also close our end of its output, losing its last lines.) */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL: no shutdown hook, no last ACK, no clean close. */
    public void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public boolean waitFor(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    public int exitValue() {
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
