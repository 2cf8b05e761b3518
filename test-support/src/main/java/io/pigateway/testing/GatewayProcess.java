package io.pigateway.testing;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private final ProcessLines lines;
    private long readyMillis = -1;

    private GatewayProcess(Process process, String label) {
        this.process = process;
        this.lines = ProcessLines.follow(process, label);
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
        return lines.all();
    }

    public long pid() {
        return process.pid();
    }

    /** The next output line containing {@code text}, waiting up to 30 s. */
    public String await(String text) throws InterruptedException {
        return lines.await(text, Duration.ofSeconds(30));
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
