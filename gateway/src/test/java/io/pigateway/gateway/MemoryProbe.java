package io.pigateway.gateway;

import io.pigateway.testing.GatewayProcess;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Issue 14's memory and start-up figures for docs/PERFORMANCE.md ("Memory and start-up"), from the
 * packaged jar run with the launcher's JVM options and the default limits. A tool, not a test: it
 * prints figures and asserts nothing.
 * <pre>
 * java -cp gateway/target/test-classes:gateway/target/classes:$(cat /tmp/cp.txt) io.pigateway.gateway.MemoryProbe MODE [options]
 * options of every mode: --conf "key = value;key = value" (configuration beyond the defaults), --jar path,
 *   --jvm "options" (after the launcher's), --env "NAME=value ..." (the gateway's environment)
 *   start   [--runs 5]                        process start to "ready" and to the first accepted connection
 *   idle    [--idle 10000] [--silent 1000] [--hold 300] [--ping 60]
 *                                             idle devices (authenticated, PING only) held while an honest device sends
 *   load    [--devices 1000] [--seconds 120]  devices sending as fast as they are acknowledged: the gateway's RSS
 * </pre>
 * Run from the gateway/ directory after {@code mvn -pl gateway -am -DskipTests package}. The idle mode
 * needs about 11,000 file descriptors in this JVM and in the gateway's ({@code ulimit -n}).
 */
public final class MemoryProbe {
    static final String SECRET = MemoryFloodIT.SECRET;
    static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /** {@code --conf "key = value;key = value"}: configuration beyond the defaults, printed with the figures. */
    static String extraConfig = "";
    /** {@code --jar path}: another build of the gateway (with its lib/ beside it), e.g. to compare with the one before a change. */
    static Path jar;
    /** {@code --jvm "options"}: added after the launcher's, e.g. -XX:NativeMemoryTracking=summary. */
    static List<String> extraJvm = List.of();
    /** {@code --env "NAME=value ..."}: added to the gateway's environment, e.g. MALLOC_ARENA_MAX=2. */
    static final Map<String, String> env = new HashMap<>();

    private MemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        extraConfig = o.getOrDefault("conf", "");
        jar = Path.of(o.getOrDefault("jar", MemoryFloodIT.JAR.toString()));
        extraJvm = o.containsKey("jvm") ? List.of(o.get("jvm").trim().split("\\s+")) : List.of();
        for (String variable : o.getOrDefault("env", "").split(" ")) {
            if (variable.contains("=")) {
                env.put(variable.substring(0, variable.indexOf('=')), variable.substring(variable.indexOf('=') + 1));
            }
        }
        switch (args.length == 0 ? "" : args[0]) {
            case "start" -> start(Integer.parseInt(o.getOrDefault("runs", "5")));
            case "idle" -> idle(Integer.parseInt(o.getOrDefault("idle", "10000")), Integer.parseInt(o.getOrDefault("silent", "1000")),
                    Duration.ofSeconds(Long.parseLong(o.getOrDefault("hold", "300"))),
                    Duration.ofSeconds(Long.parseLong(o.getOrDefault("ping", "60"))));
            case "load" -> load(Integer.parseInt(o.getOrDefault("devices", "1000")),
                    Duration.ofSeconds(Long.parseLong(o.getOrDefault("seconds", "120"))));
            default -> {
                System.err.println("usage: MemoryProbe start|idle|load [--option value ...] (see the class comment)");
                System.exit(2);
            }
        }
        System.exit(0); // the gateway process is gone; idle sockets' threads need not be waited for
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return o;
    }

    /** A gateway as packaged: launcher options, embedded store, device secrets, default limits. */
    static GatewayProcess gateway(Path dir, int devices, String prefix) throws Exception {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < devices; i++) {
            list.append(prefix).append(i).append(' ').append(SECRET).append('\n');
        }
        for (String honest : List.of("honest", "honest-steady", "honest-reconnect")) {
            list.append(honest).append(' ').append(SECRET).append('\n');
        }
        Path devicesFile = Files.writeString(dir.resolve("devices"), list);
        Files.setPosixFilePermissions(devicesFile, PosixFilePermissions.fromString("rw-------"));
        Path config = Files.writeString(dir.resolve("gateway.conf"), String.join("\n",
                "listen.address = 127.0.0.1", "listen.port = 0", "store.type = embedded",
                "store.embedded-path = " + dir.resolve("store"), "auth.devices-file = " + devicesFile,
                "http.enabled = true", "http.port = 0",
                extraConfig.replace(';', '\n'), ""));
        System.out.println("configuration: the defaults" + (extraConfig.isEmpty() ? "" : " and " + extraConfig));
        List<String> jvm = new ArrayList<>(MemoryFloodIT.launcherJvmOptions());
        jvm.addAll(extraJvm);
        System.out.println("gateway JVM options (the launcher's" + (extraJvm.isEmpty() ? "" : " and " + extraJvm) + "): "
                + String.join(" ", jvm) + (env.isEmpty() ? "" : "; environment " + env));
        return GatewayProcess.start(jar, config, "gateway", jvm, false, env, UnaryOperator.identity());
    }

    static void start(int runs) throws Exception {
        for (int run = 1; run <= runs; run++) {
            Path dir = Files.createTempDirectory("probe-start");
            for (int fresh = 0; fresh < 2; fresh++) { // a new store (migrations run), then the same store again
                long began = System.nanoTime();
                try (GatewayProcess p = gateway(dir, 1, "d")) {
                    InetSocketAddress address = p.awaitReady();
                    long ready = System.nanoTime() - began;
                    try (TestDevice d = TestDevice.connect(address, "honest", 1, SECRET)) {
                        d.sendRange(1, 1, 1);
                        d.awaitAck(1, Duration.ofSeconds(10));
                    }
                    long acked = System.nanoTime() - began;
                    p.terminate();
                    p.waitFor(30);
                    System.out.printf("run %d, %s store: process start to ready line %d ms (gateway's own 'ready in' %d ms),"
                                    + " to the first ACK %d ms%n", run, fresh == 0 ? "new" : "existing", ready / 1_000_000,
                            p.readyMillis(), acked / 1_000_000);
                }
            }
        }
    }

    static void idle(int idleDevices, int silent, Duration hold, Duration ping) throws Exception {
        Path dir = Files.createTempDirectory("probe-idle");
        List<TestDevice> idle = Collections.synchronizedList(new ArrayList<>());
        List<Socket> silentSockets = Collections.synchronizedList(new ArrayList<>());
        MemoryFloodIT.Honest honest = null;
        try (GatewayProcess p = gateway(dir, idleDevices, "idle-")) {
            InetSocketAddress address = p.awaitReady();
            long pid = p.pid();
            // MemoryFloodIT's honest devices: a frame every 200 ms on one connection, a fresh connection every 2 s.
            honest = new MemoryFloodIT.Honest(address);
            honest.thread.start();
            Thread.sleep(5000);
            Map<String, long[]> before = histogram(pid);
            MemoryFloodIT.Memory baseline = MemoryFloodIT.Memory.of(pid, true);
            System.out.println("baseline (1 honest device): " + baseline + "; " + gc(pid));

            long start = System.nanoTime();
            Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();
            for (TestDevice d : MemoryFloodIT.inParallel(0, idleDevices, n -> {
                try {
                    return TestDevice.connectFrom(MemoryFloodIT.source(n), address, "idle-" + n, n + 1L, SECRET);
                } catch (IOException e) {
                    refused.computeIfAbsent(String.valueOf(e.getMessage()).replaceAll(":.*", ""), k -> new AtomicInteger())
                            .incrementAndGet();
                    return null;
                }
            })) {
                if (d != null) {
                    idle.add(d);
                }
            }
            System.out.printf("%d idle devices connected in %d ms: %d held, refused: %s%n", idleDevices,
                    (System.nanoTime() - start) / 1_000_000, idle.size(), refused);
            Map<String, long[]> after = histogram(pid);
            MemoryFloodIT.Memory loaded = MemoryFloodIT.Memory.of(pid, true);
            System.out.printf("with them: %s; live heap per idle device %.0f bytes%n", loaded,
                    (loaded.liveBytes() - baseline.liveBytes()) / (double) Math.max(1, idle.size()));
            printTopClasses(before, after, idle.size());

            Thread pinger = Thread.ofPlatform().daemon().start(() -> pingEvery(idle, ping));
            // Connections that never finish their handshake, from other addresses: the handshake timeout
            // (or the handshake slots, crowding the oldest out) must end every one of them.
            for (Socket s : MemoryFloodIT.inParallel(100_000, 100_000 + silent, n -> MemoryFloodIT.connect(n, address))) {
                silentSockets.add(s);
            }
            System.out.printf("%d connections that never send HELLO opened%n", silent);

            long[] gcAtStart = gcCounters(pid);
            long holdStart = System.nanoTime();
            long maxRss = 0;
            long maxUsed = 0;
            boolean silentCounted = false;
            while (System.nanoTime() - holdStart < hold.toNanos()) {
                Thread.sleep(10_000);
                MemoryFloodIT.Memory m = MemoryFloodIT.Memory.of(pid, false);
                maxRss = Math.max(maxRss, m.rssKib());
                maxUsed = Math.max(maxUsed, m.usedBytes());
                System.out.printf("%3d s: %s; %s; gateway sockets %d; honest ACKs %d%n",
                        (System.nanoTime() - holdStart) / 1_000_000_000, m, gc(pid), MemoryFloodIT.sockets(pid),
                        honest.acks.get());
                if (!silentCounted && System.nanoTime() - holdStart > TimeUnit.SECONDS.toNanos(30)) {
                    silentCounted = true;
                    System.out.println("connections without HELLO after 30 s: " + silentOutcome(silentSockets));
                }
            }
            long[] gcAtEnd = gcCounters(pid);
            Map<String, long[]> held = histogram(pid);
            MemoryFloodIT.Memory end = MemoryFloodIT.Memory.of(pid, true);
            System.out.println("what grew while they were held (PINGs answered, connections without HELLO ended):");
            printTopClasses(after, held, idle.size());
            honest.stop();
            System.out.printf("held %d idle devices for %d s: young GCs %d (%.2f s), full GCs %d (%.2f s); heap in use at"
                            + " most %.1f MiB, RSS at most %.1f MiB (sampled every 10 s), peak RSS (VmHWM) %.1f MiB; at the end %s%n",
                    idle.size(), hold.toSeconds(), gcAtEnd[0] - gcAtStart[0], (gcAtEnd[1] - gcAtStart[1]) / 1000.0,
                    gcAtEnd[2] - gcAtStart[2], (gcAtEnd[3] - gcAtStart[3]) / 1000.0, maxUsed / 1048576.0, maxRss / 1024.0,
                    end.hwmKib() / 1024.0, end);
            printNativeMemory(pid);
            System.out.println(residentSplit(pid));
            System.out.println("honest device: " + honest.summary() + "; failure: " + honest.failure.get());
            long alive = idle.stream().filter(d -> !d.socket().isClosed()).count();
            System.out.println("idle devices still connected (their socket open here): " + alive + "; gateway: "
                    + (p.waitFor(0) ? "exited " + p.exitValue() : "running") + "; OutOfMemoryError in its output: "
                    + p.output().stream().anyMatch(l -> l.contains("OutOfMemoryError")));
            p.output().stream().filter(l -> l.contains("WARN") || l.contains("ERROR")).limit(10)
                    .forEach(l -> System.out.println("gateway: " + l));
        } finally {
            if (honest != null) {
                honest.stop();
            }
            for (TestDevice d : idle) {
                d.close();
            }
            for (Socket s : silentSockets) {
                s.close();
            }
        }
    }

    /** Each idle device PINGs once per {@code every}, as a real client does (the gateway's idle timeout is 120 s). */
    private static void pingEvery(List<TestDevice> devices, Duration every) {
        try {
            while (true) {
                List<TestDevice> all;
                synchronized (devices) {
                    all = List.copyOf(devices);
                }
                long pause = every.toNanos() / Math.max(1, all.size());
                for (TestDevice d : all) {
                    try {
                        d.send(new Message.Ping(System.nanoTime())); // the PONG is never read: it waits in the socket
                    } catch (IOException e) {
                        // closed by the gateway: counted at the end
                    }
                    TimeUnit.NANOSECONDS.sleep(pause);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String silentOutcome(List<Socket> sockets) throws IOException {
        Map<String, Integer> outcome = new HashMap<>();
        for (Socket s : sockets) {
            s.setSoTimeout(20);
            String what;
            try {
                FrameReader in = new FrameReader(s.getInputStream(), Frames.DEFAULT_MAX_PAYLOAD);
                Message m = in.read();
                if (m instanceof Message.Challenge) {
                    m = in.read();
                }
                what = m instanceof Message.Nack n ? n.nackCode().toString() : m == null ? "closed" : m.type().toString();
            } catch (java.net.SocketTimeoutException e) {
                what = "still open";
            } catch (IOException e) {
                what = "reset";
            }
            outcome.merge(what, 1, Integer::sum);
        }
        return outcome.toString();
    }

    static void load(int devices, Duration duration) throws Exception {
        Path dir = Files.createTempDirectory("probe-load");
        try (GatewayProcess p = gateway(dir, devices, "load-")) {
            InetSocketAddress address = p.awaitReady();
            long pid = p.pid();
            AtomicLong readings = new AtomicLong();
            Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
            // Connected first, 32 handshakes at a time: all at once would crowd each other out of the
            // handshake slots (limits.max-unauthenticated-connections).
            List<TestDevice> connected = MemoryFloodIT.inParallel(0, devices,
                    n -> TestDevice.connectFrom(MemoryFloodIT.source(n), address, "load-" + n, n + 1L, SECRET));
            System.out.printf("%d devices connected; %s%n", connected.size(), MemoryFloodIT.Memory.of(pid, false));
            long end = System.nanoTime() + duration.toNanos();
            List<Thread> threads = new ArrayList<>();
            for (TestDevice device : connected) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try (TestDevice d = device) {
                        // Four frames of 50 in flight, as the client's window allows: as fast as the gateway acknowledges.
                        long seq = 1;
                        for (int f = 0; f < 4; f++, seq += 50) {
                            d.send(TestDevice.readings(seq, 50, "temperature"));
                        }
                        while (System.nanoTime() < end) {
                            d.awaitAck(seq - 150, Duration.ofSeconds(60));
                            d.send(TestDevice.readings(seq, 50, "temperature"));
                            seq += 50;
                            readings.addAndGet(50);
                        }
                    } catch (Exception e) {
                        failures.computeIfAbsent(String.valueOf(e.getMessage()).replaceAll("[0-9]+", "N"),
                                k -> new AtomicInteger()).incrementAndGet();
                    }
                }));
            }
            long began = System.nanoTime();
            long maxRss = 0;
            while (System.nanoTime() < end) {
                Thread.sleep(10_000);
                MemoryFloodIT.Memory m = MemoryFloodIT.Memory.of(pid, false);
                maxRss = Math.max(maxRss, m.rssKib());
                System.out.printf("%3d s: %d readings acknowledged; %s; %s%n", (System.nanoTime() - began) / 1_000_000_000,
                        readings.get(), m, gc(pid));
            }
            for (Thread t : threads) {
                t.join(70_000);
            }
            MemoryFloodIT.Memory m = MemoryFloodIT.Memory.of(pid, false);
            System.out.printf("%d devices for %d s: %d readings acknowledged (%.0f/s), devices that failed: %s; peak RSS"
                            + " (VmHWM) %.1f MiB; %s; %s%n", devices, duration.toSeconds(), readings.get(),
                    readings.get() / (double) duration.toSeconds(), failures, m.hwmKib() / 1024.0, m, gc(pid));
            printNativeMemory(pid);
            System.out.println(residentSplit(pid));
        }
    }

    /** The JVM's own account of its memory, if started with -XX:NativeMemoryTracking=summary. */
    static void printNativeMemory(long pid) throws Exception {
        if (extraJvm.stream().noneMatch(o -> o.startsWith("-XX:NativeMemoryTracking="))) {
            return;
        }
        System.out.println(MemoryFloodIT.jcmd(pid, "VM.native_memory summary").lines()
                .filter(l -> l.contains("committed=") && (l.startsWith("-") || l.startsWith("Total")))
                .reduce("native memory (NMT summary, committed):", (a, b) -> a + "\n  " + b.trim()));
    }

    /** RSS split into file-backed mappings (libjvm.so, the CDS archive, jars) and anonymous memory, from smaps. */
    static String residentSplit(long pid) throws IOException {
        long file = 0;
        long anonymous = 0;
        boolean fileBacked = false;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] f = line.trim().split("\\s+");
                fileBacked = f.length >= 6 && f[5].startsWith("/");
            } else if (line.startsWith("Rss:")) {
                long kib = Long.parseLong(line.replaceAll("\\D", ""));
                if (fileBacked) {
                    file += kib;
                } else {
                    anonymous += kib;
                }
            }
        }
        return String.format("RSS now: %.1f MiB file-backed (libjvm.so, CDS archive, jars), %.1f MiB anonymous (heap,"
                + " metaspace, code, malloc)", file / 1024.0, anonymous / 1024.0);
    }

    /** Young count, young ms, full count, full ms, from {@code jstat -gc}. */
    static long[] gcCounters(long pid) throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Process p = new ProcessBuilder(java.resolveSibling("jstat").toString(), "-gc", Long.toString(pid))
                .redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        p.waitFor(30, TimeUnit.SECONDS);
        List<String> head = List.of(lines.get(0).trim().split("\\s+"));
        String[] row = lines.get(1).trim().split("\\s+");
        return new long[] {Long.parseLong(row[head.indexOf("YGC")]), Math.round(1000 * Double.parseDouble(row[head.indexOf("YGCT")])),
                Long.parseLong(row[head.indexOf("FGC")]), Math.round(1000 * Double.parseDouble(row[head.indexOf("FGCT")]))};
    }

    static String gc(long pid) throws Exception {
        long[] c = gcCounters(pid);
        return String.format("GCs so far: %d young (%.2f s), %d full (%.2f s)", c[0], c[1] / 1000.0, c[2], c[3] / 1000.0);
    }

    /** Live objects per class after a full collection: class -> {instances, bytes}. */
    static Map<String, long[]> histogram(long pid) throws Exception {
        Map<String, long[]> h = new HashMap<>();
        for (String line : MemoryFloodIT.jcmd(pid, "GC.class_histogram").lines().toList()) {
            Matcher m = HISTOGRAM_ROW.matcher(line);
            if (m.find()) {
                h.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
        }
        return h;
    }

    /** The classes that grew most between two histograms, per connection. */
    static void printTopClasses(Map<String, long[]> before, Map<String, long[]> after, int connections) {
        List<Map.Entry<String, long[]>> grown = new ArrayList<>();
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            grown.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]}));
        }
        grown.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        long total = grown.stream().mapToLong(e -> e.getValue()[1]).sum();
        System.out.printf("live heap growth by class, per connection (%d connections; total %.0f bytes each):%n",
                connections, total / (double) connections);
        for (Map.Entry<String, long[]> e : grown.subList(0, Math.min(25, grown.size()))) {
            System.out.printf("  %8.0f B  %6.2f objects  %s%n", e.getValue()[1] / (double) connections,
                    e.getValue()[0] / (double) connections, e.getKey());
        }
    }
}
