package io.pigateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.testing.GatewayProcess;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.FrameType;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issues 12 and 14: nothing clients send makes the packaged gateway run out of heap. The packaged jar
 * runs with the launcher's own JVM options (read from deploy/src/bin/launcher: {@code -Xmx96m},
 * {@code -XX:+ExitOnOutOfMemoryError}, ...), device secrets, the embedded store and the default memory
 * budget, as installed; only limits.max-connections and limits.max-unauthenticated-connections are
 * raised (to 12,000: with the default 128 handshake slots, silent connections would push each other
 * out long before memory mattered), the per-source connection rate is off, and the handshake and idle
 * timeouts are raised (to 3 and 5 min, so that silent connections are held rather than let go on
 * time): what stops the flood here must be the memory budget. Then:
 * <ol>
 *   <li>1,000 connections send the header of a 256 KiB frame (the attack of issue 12): each is refused
 *       at once with FRAME_TOO_LARGE, since before HELLO_OK only a HELLO-sized frame is accepted;</li>
 *   <li>10,000 idle connections: 5,000 send nothing, 5,000 devices complete their handshake and stay
 *       silent (issue 14). The gateway's memory budget admits all of them with -Xmx96m (up to about
 *       10,394 connections; beyond, OVERLOADED); its live heap stays under 85 % of the heap;</li>
 *   <li>1,000 more connections declare the largest frame allowed before the handshake, send half of it
 *       and stall: the budget is spent, so they are refused with OVERLOADED (at accept, or when their
 *       frame would grow) instead of taking the heap.</li>
 * </ol>
 * Everything is held for {@link #HOLD} (issue 14's OutOfMemoryError came about 25 s after the
 * connections), while one honest device sends a frame every 200 ms on its connection and another
 * connects afresh every 2 s: every frame on the kept connection is acknowledged, a fresh connection
 * is acknowledged or told OVERLOADED, and the gateway stays up. When 200 connections leave, a fresh
 * device gets in again. Heap, RSS and the heap per idle connection are printed.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MemoryFloodIT {
    static final Path JAR = Path.of("target/pi-gateway.jar");
    static final Path LAUNCHER = Path.of("../deploy/src/bin/launcher");
    static final int REFUSED_HEADERS = 1000;
    static final int STALLED_FRAMES = 1000;
    static final int SILENT = 5000;
    static final int IDLE_DEVICES = 5000;
    static final Duration HOLD = Duration.ofSeconds(35);
    /** Connections per source address: under limits.max-connections-per-address (32 by default). */
    static final int PER_ADDRESS = 25;
    static final String SECRET = "flood-test-secret-0123456789";
    /** The live heap must stay under this share of the heap: the rest is the gateway's room to work. */
    static final double MAX_LIVE_SHARE = 0.85;

    /** The gateway's JVM options as the packaged launcher sets them. */
    static List<String> launcherJvmOptions() throws IOException {
        String launcher = Files.readString(LAUNCHER);
        int branch = launcher.indexOf("\npi-gateway)");
        Matcher m = Pattern.compile("default_opts='([^']*)'").matcher(launcher);
        assertTrue(branch >= 0 && m.find(branch), "no default_opts for pi-gateway in " + LAUNCHER);
        return List.of(m.group(1).trim().split("\\s+"));
    }

    /** The {@code n}-th of the flood's source addresses: 127.1.x.y, {@link #PER_ADDRESS} connections each. */
    static InetAddress source(int n) throws UnknownHostException {
        int a = n / PER_ADDRESS;
        return InetAddress.getByAddress(new byte[] {127, 1, (byte) (a / 250), (byte) (1 + a % 250)});
    }

    static Socket connect(int n, InetSocketAddress gateway) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(source(n), 0));
            s.connect(gateway, 10_000);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    static byte[] header(FrameType type, int length) {
        return ByteBuffer.allocate(Frames.HEADER_BYTES).putShort((short) Frames.MAGIC).put((byte) Frames.VERSION)
                .put((byte) type.code()).putInt(length).array();
    }

    /** Runs {@code task(i)} for i in [from, to) on virtual threads, at most 32 at once; returns what it opened. */
    static <T> List<T> inParallel(int from, int to, Task<T> task) throws Exception {
        Semaphore slots = new Semaphore(32);
        List<Future<T>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = from; i < to; i++) {
                int n = i;
                slots.acquire();
                futures.add(pool.submit(() -> {
                    try {
                        return task.run(n);
                    } finally {
                        slots.release();
                    }
                }));
            }
        }
        List<T> out = new ArrayList<>();
        for (Future<T> f : futures) {
            out.add(f.get());
        }
        return out;
    }

    interface Task<T> {
        T run(int n) throws Exception;
    }

    @Test
    void elevenThousandHostileAndIdleConnectionsNeitherCrashThePackagedHeapNorStopTheAcks(@TempDir Path dir)
            throws Exception {
        List<String> jvm = launcherJvmOptions();
        assertTrue(jvm.contains("-XX:+ExitOnOutOfMemoryError"), "launcher options " + jvm);
        int needed = REFUSED_HEADERS + STALLED_FRAMES + SILENT + IDLE_DEVICES + 100;
        long ourFiles = maxOpenFiles(ProcessHandle.current().pid());
        assertTrue(ourFiles >= needed, "this test needs " + needed + " file descriptors; ulimit -n allows " + ourFiles);

        StringBuilder devices = new StringBuilder("honest-steady " + SECRET + "\nhonest-reconnect " + SECRET
                + "\nhonest-late " + SECRET + "\n");
        for (int i = 0; i < IDLE_DEVICES; i++) {
            devices.append("idle-").append(i).append(' ').append(SECRET).append('\n');
        }
        Path devicesFile = Files.writeString(dir.resolve("devices"), devices);
        Files.setPosixFilePermissions(devicesFile, PosixFilePermissions.fromString("rw-------"));
        Path config = Files.writeString(dir.resolve("gateway.conf"), String.join("\n",
                "listen.address = 127.0.0.1", "listen.port = 0", "store.type = embedded",
                "store.embedded-path = " + dir.resolve("store"), "log.stats-interval = 0s",
                "auth.devices-file = " + devicesFile,
                "limits.max-connections = 12000", "limits.max-unauthenticated-connections = 12000",
                "limits.new-connections-per-second = 0", "limits.handshake-timeout = 180s", "limits.idle-timeout = 300s", ""));

        List<Socket> held = Collections.synchronizedList(new ArrayList<>());
        List<TestDevice> idle = Collections.synchronizedList(new ArrayList<>());
        Honest honest = null;
        try (GatewayProcess p = GatewayProcess.start(JAR, config, "gateway", jvm, false)) {
            InetSocketAddress address = p.awaitReady();
            long pid = p.pid();
            System.out.println("gateway JVM options (from the launcher): " + String.join(" ", jvm)
                    + "; file descriptors: gateway " + maxOpenFiles(pid) + ", test " + ourFiles);
            honest = new Honest(address);
            honest.thread.start();
            honest.awaitAcks(5);
            Memory baseline = Memory.of(pid, true);
            System.out.println("baseline (2 honest devices): " + baseline);

            // 1. The attack of issue 12: a 256 KiB frame declared before the handshake. Refused at once.
            long start = System.nanoTime();
            List<NackCode> answers = inParallel(0, REFUSED_HEADERS, n -> {
                try (Socket s = connect(n, address)) {
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write(header(FrameType.HELLO, Frames.DEFAULT_MAX_PAYLOAD));
                    FrameReader in = new FrameReader(s.getInputStream(), Frames.DEFAULT_MAX_PAYLOAD);
                    Message m = in.read();
                    if (m instanceof Message.Challenge) {
                        m = in.read();
                    }
                    return m instanceof Message.Nack nack ? nack.nackCode() : null;
                }
            });
            assertEquals(List.of(NackCode.FRAME_TOO_LARGE), answers.stream().distinct().toList(),
                    "answers to a 256 KiB frame declared before HELLO");
            System.out.printf("%d connections declaring a 256 KiB frame before HELLO: all refused with %s in %d ms%n",
                    REFUSED_HEADERS, NackCode.FRAME_TOO_LARGE, (System.nanoTime() - start) / 1_000_000);

            // 2. Idle connections: silent ones, then silent devices after their handshake. Each is held
            //    (the gateway's first frame is its CHALLENGE) or refused for the budget (OVERLOADED).
            int base = REFUSED_HEADERS;
            start = System.nanoTime();
            AtomicInteger idleRefused = new AtomicInteger();
            for (Socket s : inParallel(base, base + SILENT, n -> connect(n, address))) {
                s.setSoTimeout(10_000);
                Message m = new FrameReader(s.getInputStream(), Frames.DEFAULT_MAX_PAYLOAD).read();
                if (m instanceof Message.Challenge) {
                    held.add(s);
                } else {
                    assertEquals(NackCode.OVERLOADED, m instanceof Message.Nack n ? n.nackCode() : null, "got " + m);
                    idleRefused.incrementAndGet();
                    s.close();
                }
            }
            base += SILENT;
            int first = base;
            for (TestDevice d : inParallel(base, base + IDLE_DEVICES, n -> {
                try {
                    return TestDevice.connectFrom(source(n), address, "idle-" + (n - first), n + 1L, SECRET);
                } catch (IOException e) {
                    if (e.getMessage() == null || !e.getMessage().contains("code=" + NackCode.OVERLOADED.code())) {
                        throw e;
                    }
                    idleRefused.incrementAndGet();
                    return null;
                }
            })) {
                if (d != null) {
                    idle.add(d);
                }
            }
            base += IDLE_DEVICES;
            int idleTotal = held.size() + idle.size();
            assertEquals(SILENT + IDLE_DEVICES, idleTotal + idleRefused.get());
            Memory idleMemory = Memory.of(pid, true);
            long idleSockets = sockets(pid);
            System.out.printf("%d silent connections and %d silent devices in %d ms: %d held (%d silent), %d told %s;"
                            + " %s; gateway sockets %d%n", SILENT, IDLE_DEVICES, (System.nanoTime() - start) / 1_000_000,
                    idleTotal, held.size(), idleRefused.get(), NackCode.OVERLOADED, idleMemory, idleSockets);
            System.out.printf("live heap per idle connection: %.0f bytes ((%d - %d) / %d)%n",
                    (idleMemory.liveBytes - baseline.liveBytes) / (double) idleTotal, idleMemory.liveBytes,
                    baseline.liveBytes, idleTotal);
            assertTrue(idleSockets >= idleTotal, "the gateway holds " + idleSockets + " sockets for the " + idleTotal
                    + " idle connections: " + warnings(p));
            assertEquals(SILENT + IDLE_DEVICES, idleTotal, "the packaged heap's budget admits 10,000 idle connections");
            assertTrue(idleMemory.liveBytes < MAX_LIVE_SHARE * idleMemory.maxBytes, "live heap " + idleMemory);

            // 3. The largest frame allowed before the handshake, half sent, then silence: beyond the budget.
            int helloMax = LimitsConfig.DEFAULT_MAX_HELLO_BYTES;
            byte[] half = ByteBuffer.allocate(Frames.HEADER_BYTES + helloMax / 2).put(header(FrameType.HELLO, helloMax))
                    .array();
            List<Socket> stalled = inParallel(base, base + STALLED_FRAMES, n -> {
                Socket s = connect(n, address);
                try {
                    s.getOutputStream().write(half);
                } catch (IOException e) {
                    // refused and closed already
                }
                return s;
            });
            held.addAll(stalled);
            int overloaded = 0;
            for (Socket s : stalled) { // what the gateway said: a NACK (after the CHALLENGE, if any), or nothing yet
                s.setSoTimeout(20);
                try {
                    FrameReader in = new FrameReader(s.getInputStream(), Frames.DEFAULT_MAX_PAYLOAD);
                    Message m = in.read();
                    if (m instanceof Message.Challenge) {
                        m = in.read();
                    }
                    if (m instanceof Message.Nack n && n.nackCode() == NackCode.OVERLOADED) {
                        overloaded++;
                    }
                } catch (IOException e) {
                    // still held (timed out), or reset
                }
            }
            int total = held.size() + idle.size();
            System.out.printf("%d connections stalled in a half-sent %d-byte HELLO: %d told %s; gateway sockets %d%n",
                    STALLED_FRAMES, helloMax, overloaded, NackCode.OVERLOADED, sockets(pid));
            assertTrue(overloaded > 0, "the budget refused some of them");

            // Hold them, watching the gateway.
            long holdUntil = System.nanoTime() + HOLD.toNanos();
            while (System.nanoTime() < holdUntil) {
                Thread.sleep(5000);
                assertTrue(honest.failure.get() == null, "honest device: " + honest.failure.get());
                Memory m = Memory.of(pid, false);
                System.out.printf("holding %d connections: %s; gateway sockets %d; honest ACKs %d%n", total, m,
                        sockets(pid), honest.acks.get());
            }
            Memory loaded = Memory.of(pid, true);
            long gatewaySockets = sockets(pid);
            System.out.println("after " + HOLD.toSeconds() + " s: " + loaded + "; gateway sockets " + gatewaySockets);
            assertTrue(loaded.liveBytes < MAX_LIVE_SHARE * loaded.maxBytes, "live heap " + loaded);

            honest.stop();
            assertNull(honest.failure.get(), "honest device");
            System.out.println("honest devices: " + honest.summary());
            p.output().stream().filter(l -> l.contains("OVERLOADED")).limit(3).forEach(l -> System.out.println("gateway: " + l));
            assertTrue(p.output().stream().noneMatch(l -> l.contains("OutOfMemoryError")), "no OutOfMemoryError");
            assertTrue(p.output().stream().anyMatch(l -> l.contains("refusing new connections with NACK OVERLOADED")),
                    "the budget's refusals are logged: " + warnings(p));

            // The flood recedes: 200 silent connections leave, and a device gets in again (retrying after
            // OVERLOADED, as the NACK says) as soon as the gateway has noticed.
            for (Socket s : held.subList(0, 200)) {
                s.close();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int attempts = 0;
            boolean admitted = false;
            while (!admitted && System.nanoTime() < deadline) {
                attempts++;
                try (TestDevice late = TestDevice.connectFrom(InetAddress.getByName("127.0.0.4"), address, "honest-late",
                        attempts, SECRET)) {
                    late.sendRange(1, 5, 5);
                    late.awaitAck(5, Duration.ofSeconds(10));
                    admitted = true;
                } catch (IOException e) {
                    if (e.getMessage() == null || !e.getMessage().contains("code=" + NackCode.OVERLOADED.code())) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
            assertTrue(admitted, "a device gets in once connections have left (" + attempts + " attempts)");
            System.out.println("after 200 silent connections left, a fresh device was acknowledged at attempt " + attempts);
            assertTrue(gatewaySockets >= idleTotal, "the idle connections are still held: " + gatewaySockets);
            assertTrue(!p.waitFor(0), "the gateway is still running");
        } finally {
            if (honest != null) {
                honest.stop();
            }
            for (Socket s : held) {
                s.close();
            }
            for (TestDevice d : idle) {
                d.close();
            }
        }
    }

    static List<String> warnings(GatewayProcess p) {
        return p.output().stream().filter(l -> l.contains("WARN") || l.contains("ERROR")).limit(5).toList();
    }

    /** Two honest devices: one frame every 200 ms on a kept connection, and a fresh connection every 2 s. */
    static final class Honest implements Runnable {
        final InetSocketAddress gateway;
        final Thread thread = Thread.ofPlatform().name("honest").unstarted(this);
        final AtomicInteger acks = new AtomicInteger();
        final AtomicInteger reconnects = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final ConcurrentLinkedQueue<Long> latencyMicros = new ConcurrentLinkedQueue<>();
        volatile boolean stopping;

        Honest(InetSocketAddress gateway) {
            this.gateway = gateway;
        }

        @Override
        public void run() {
            try (TestDevice steady = TestDevice.connectFrom(InetAddress.getByName("127.0.0.2"), gateway, "honest-steady",
                    1, SECRET)) {
                for (long seq = 1; !stopping; seq++) {
                    long sent = System.nanoTime();
                    steady.send(TestDevice.readings(seq, 1, "temperature"));
                    steady.awaitAck(seq, Duration.ofSeconds(10));
                    latencyMicros.add((System.nanoTime() - sent) / 1000);
                    acks.incrementAndGet();
                    if (seq % 10 == 0) {
                        try (TestDevice fresh = TestDevice.connectFrom(InetAddress.getByName("127.0.0.3"), gateway,
                                "honest-reconnect", seq, SECRET)) {
                            fresh.sendRange(1, 5, 5);
                            fresh.awaitAck(5, Duration.ofSeconds(10));
                            reconnects.incrementAndGet();
                        } catch (IOException e) {
                            if (e.getMessage() == null || !e.getMessage().contains("code=" + NackCode.OVERLOADED.code())) {
                                throw e;
                            }
                            refused.incrementAndGet(); // the budget is spent: retry later, as the NACK says
                        }
                    }
                    Thread.sleep(200);
                }
            } catch (Throwable t) {
                if (!stopping) {
                    failure.set(t);
                }
            }
        }

        void awaitAcks(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (acks.get() < n && failure.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertNull(failure.get(), "honest device");
            assertTrue(acks.get() >= n, "honest device ACKs: " + acks.get());
        }

        void stop() throws InterruptedException {
            stopping = true;
            thread.join(15_000);
        }

        String summary() {
            List<Long> l = new ArrayList<>(latencyMicros);
            Collections.sort(l);
            if (l.isEmpty()) {
                return "no ACKs";
            }
            return String.format("%d frames acknowledged on the kept connection (ACK latency p50 %.1f ms, p99 %.1f ms,"
                            + " max %.1f ms), %d fresh connections acknowledged, %d told OVERLOADED", l.size(),
                    l.get(l.size() / 2) / 1000.0, l.get((int) (l.size() * 0.99)) / 1000.0, l.getLast() / 1000.0,
                    reconnects.get(), refused.get());
        }
    }

    /** Heap (jcmd) and RSS (/proc) of a process; with {@code live}, the live heap after a full collection. */
    record Memory(long usedBytes, long maxBytes, long liveBytes, long rssKib, long hwmKib) {
        static Memory of(long pid, boolean live) throws Exception {
            String info = jcmd(pid, "GC.heap_info");
            long used = 0;
            long max = 0;
            Matcher m = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(info);
            while (m.find()) {
                max += Long.parseLong(m.group(1)) * 1024;
                used += Long.parseLong(m.group(2)) * 1024;
            }
            long liveBytes = -1;
            if (live) {
                String histogram = jcmd(pid, "GC.class_histogram");
                Matcher t = Pattern.compile("Total\\s+\\d+\\s+(\\d+)").matcher(histogram);
                assertTrue(t.find(), histogram);
                liveBytes = Long.parseLong(t.group(1));
            }
            String status = Files.readString(Path.of("/proc/" + pid + "/status"));
            return new Memory(used, max, liveBytes, kib(status, "VmRSS"), kib(status, "VmHWM"));
        }

        private static long kib(String status, String key) {
            Matcher m = Pattern.compile(key + ":\\s+(\\d+) kB").matcher(status);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }

        @Override
        public String toString() {
            return String.format("heap used %.1f of %.1f MiB%s, RSS %.1f MiB (peak %.1f MiB)", usedBytes / 1048576.0,
                    maxBytes / 1048576.0, liveBytes < 0 ? "" : String.format(" (live after a full collection %.1f MiB)", liveBytes / 1048576.0),
                    rssKib / 1024.0, hwmKib / 1024.0);
        }
    }

    static String jcmd(long pid, String command) throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Process p = new ProcessBuilder(java.resolveSibling("jcmd").toString(), Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "jcmd " + command + ": " + out);
        return out;
    }

    /** The soft limit of open files of a process (the JVM raises it to the hard limit at start). */
    static long maxOpenFiles(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return -1;
    }

    static long sockets(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        }
    }
}
