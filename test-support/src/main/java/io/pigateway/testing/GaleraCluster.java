package io.pigateway.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A MariaDB Galera cluster on loopback, from Debian's {@code mariadb-server} and {@code galera-4}: each
 * node a {@code /usr/sbin/mariadbd} child of the test JVM with its own data directory and four ports
 * (SQL, group communication {@code gmcast.listen_addr}, incremental state transfer {@code ist.recv_addr},
 * and the rsync full state transfer's {@code wsrep_sst_receive_address}). Node 1 bootstraps the cluster
 * ({@code --wsrep-new-cluster}) from a fresh data directory; the others join with an empty one and get
 * a full copy by rsync (SST). A node stopped cleanly rejoins by IST (only what it missed); one killed
 * with SIGKILL first recovers its position ({@link #restart}) and then rejoins by IST too.
 *
 * <p>As root the nodes run as the {@code mysql} user: the rsync SST receiver drops root to
 * {@code nobody}, which cannot write the joiner's data directory. The group timeouts are shorter than
 * Galera's defaults (suspect 3 s, inactive 6 s) so that a partitioned node is evicted within seconds.
 *
 * <p>Every node has its own loopback address ({@code 127.a.b.n}, {@code a.b} random per cluster) for all
 * its ports, so that a firewall rule can tell its traffic from the others' ({@link #partition}). A
 * cluster may also have the Galera arbitrator {@code garbd} (package {@code galera-arbitrator-4}) as a
 * member without data: two nodes and the arbitrator keep a majority when one node fails.
 */
public final class GaleraCluster implements AutoCloseable {
    private static final Path MARIADBD = Path.of("/usr/sbin/mariadbd");
    private static final Path INSTALL_DB = Path.of("/usr/bin/mariadb-install-db");
    private static final Path PROVIDER = Path.of("/usr/lib/galera/libgalera_smm.so");
    private static final Path GARBD = Path.of("/usr/bin/garbd");
    private static final Path IPTABLES = Path.of("/usr/sbin/iptables");
    private static final String USER = "root";
    private static final String PASSWORD = "pigw-test";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** The short group timeouts described above (Galera's defaults: suspect 5 s, inactive 15 s). */
    private static final String GROUP_TIMEOUTS = "evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT6S";

    private final Path root;
    private final List<Node> nodes = new ArrayList<>();
    private final Path init;
    /** "127.a.b.": the first three bytes of every member's loopback address. */
    private final String network;
    /** Without Galera: one plain server with the same settings, the single-server baseline. */
    private final boolean galera;
    private Arbitrator arbitrator;
    /** The iptables rules of the partitions in place, each as the arguments after -I/-D. */
    private final List<List<String>> cuts = new ArrayList<>();

    /** One member of the cluster; {@code n} counts from 1. */
    public final class Node {
        final int n;
        final String host;
        final int port = freePort();
        final int groupPort = freePort();
        final int istPort = freePort();
        final int sstPort = freePort();
        final Path dir;
        Process process;

        Node(int n) {
            this.n = n;
            this.host = network + n;
            this.dir = root.resolve("node" + n);
        }

        public int port() {
            return port;
        }

        /** This node's own loopback address; "host:port" is its entry in store.host. */
        public String host() {
            return host;
        }

        public int groupPort() {
            return groupPort;
        }

        @Override
        public String toString() {
            return "node " + n + " (" + host + ":" + port + ")";
        }
    }

    /** The arbitrator: a group member without data or SQL port, member number {@code n}. */
    private record Arbitrator(int n, String host, int groupPort, Process process) {}

    private GaleraCluster(Path root, int size, boolean galera) {
        this.root = root;
        this.init = root.resolve("init.sql");
        this.galera = galera;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.network = "127." + random.nextInt(100, 250) + "." + random.nextInt(1, 250) + ".";
        for (int n = 1; n <= size; n++) {
            nodes.add(new Node(n));
        }
    }

    /**
     * A new directory for a cluster under target/ (not a JUnit temporary directory: that one is private to
     * root, and the nodes run as mysql), open to everyone for reading.
     */
    public static Path directory() throws IOException {
        Path dir = Path.of("target", "galera-" + ProcessHandle.current().pid() + "-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /** Starts a cluster of {@code size} nodes under {@code root}; returns once every node is synced. */
    public static GaleraCluster start(Path root, int size) throws Exception {
        return start(root, size, false);
    }

    /**
     * Starts a cluster of {@code size} data nodes and, with {@code arbitrator}, {@code garbd} as one more
     * member; returns once every node is synced and every member is in the cluster.
     */
    public static GaleraCluster start(Path root, int size, boolean arbitrator) throws Exception {
        requirePackages(arbitrator ? List.of(MARIADBD, INSTALL_DB, PROVIDER, GARBD) : List.of(MARIADBD, INSTALL_DB, PROVIDER));
        GaleraCluster cluster = new GaleraCluster(root.toAbsolutePath(), size, true);
        // The nodes are child processes, which outlive a JVM that ends without closing the cluster.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("galera-stop").unstarted(cluster::close));
        try {
            cluster.bootstrap();
            for (Node node : cluster.nodes.subList(1, size)) {
                cluster.launch(node, false);
            }
            for (Node node : cluster.nodes) {
                cluster.awaitSynced(node);
            }
            if (arbitrator) {
                cluster.startArbitrator();
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * One server with the nodes' settings but Galera off ({@code wsrep_on = OFF}, no provider): what a
     * cluster is compared with. {@link #node node(1)} is the server.
     */
    public static GaleraCluster startWithoutGalera(Path root) throws Exception {
        requirePackages(List.of(MARIADBD, INSTALL_DB));
        GaleraCluster server = new GaleraCluster(root.toAbsolutePath(), 1, false);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("mariadbd-stop").unstarted(server::close));
        try {
            server.bootstrap();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static void requirePackages(List<Path> files) {
        for (Path p : files) {
            if (!Files.exists(p)) {
                throw new IllegalStateException(p + " is missing: the Galera tests need the Debian packages mariadb-server,"
                        + " galera-4 and galera-arbitrator-4 (bin/test installs them: apt-get install mariadb-server galera-4"
                        + " galera-arbitrator-4)");
            }
        }
    }

    /**
     * Starts {@code garbd} as one more member and waits until the first node counts it. It needs no
     * state transfer: it holds no data and only votes.
     */
    private void startArbitrator() throws Exception {
        int n = nodes.size() + 1;
        String host = network + n;
        int groupPort = freePort();
        Path log = root.resolve("garbd.log");
        Process p = new ProcessBuilder(GARBD.toString(), "--name", "arbitrator", "--group", "pigw-test",
                "--address", members(), "--options", "gmcast.listen_addr=tcp://" + host + ":" + groupPort + ";" + GROUP_TIMEOUTS,
                "--log", log.toString()).directory(root.toFile()) // where it keeps its view, gvwstate.dat
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        arbitrator = new Arbitrator(n, host, groupPort, p);
        awaitClusterSize(node(1), n, "starting the arbitrator garbd (log " + log + ")");
    }

    /** The arbitrator's process, or null if the cluster has none; for a test to stop it. */
    public Process arbitrator() {
        return arbitrator == null ? null : arbitrator.process();
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public Node node(int n) {
        return nodes.get(n - 1);
    }

    /** "host1:p1,host2:p2,...": the value of store.host for the whole cluster. */
    public String hostList() {
        StringJoiner j = new StringJoiner(",");
        nodes.forEach(node -> j.add(node.host + ":" + node.port));
        return j.toString();
    }

    /** "gcomm://host1:g1,host2:g2,...": the data nodes' group addresses (wsrep_cluster_address). */
    private String members() {
        StringJoiner members = new StringJoiner(",", "gcomm://", "");
        nodes.forEach(other -> members.add(other.host + ":" + other.groupPort));
        return members.toString();
    }

    /** A new database on the cluster and its account, naming every node as store.host does; password file in {@code dir}. */
    public TestSchema createDatabase(String name, Path dir) throws SQLException, IOException {
        try (Connection c = connect(node(1), ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        }
        Path passwordFile = dir.resolve(name + ".password");
        Files.createFile(passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passwordFile, PASSWORD + "\n", StandardCharsets.UTF_8);
        return new TestSchema(hostList(), node(1).port, name, USER, passwordFile);
    }

    public Connection connect(Node node, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://" + node.host + ":" + node.port + "/" + database
                + "?connectTimeout=5000&socketTimeout=30000", USER, PASSWORD);
    }

    /** SIGKILL: the node loses what was in flight and leaves no saved position in grastate.dat. */
    public void kill(Node node) throws InterruptedException {
        Process p = node.process;
        node.process = null;
        p.destroyForcibly();
        p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** SIGTERM, as a service manager stops it; waits for the end. */
    public void stop(Node node) throws InterruptedException {
        Process p = node.process;
        node.process = null;
        p.destroy();
        if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(node + " did not stop within " + STOP_TIMEOUT.toSeconds() + " s of SIGTERM");
        }
    }

    /**
     * Cuts the node off from every other member, as a broken link would: firewall rules drop every TCP
     * packet between its loopback address and theirs, in both directions, while its SQL port stays
     * reachable from the gateways (they connect from 127.0.0.1). Galera binds its outgoing group
     * connections to the listening address too, so the node's own connections to the others are cut as
     * well. Its group connections stall, the others evict it after the suspect and inactive timeouts and
     * carry on as a majority, and it leaves the primary component (error 1047 at every statement).
     * Returns once a running member sees the smaller cluster and the node itself is {@code non-Primary}.
     *
     * <p>Chosen over a TCP relay per link (Galera learns the others' real listening addresses from its
     * handshake and gossip and connects to them directly, past any relay) and over network namespaces
     * (the gateways would reach the nodes over veth pairs instead of loopback). Needs root and iptables
     * (package iptables); {@link #heal} or {@link #close} deletes the rules.
     */
    public void partition(Node node) throws Exception {
        if (!Files.isExecutable(IPTABLES) || !asRoot()) {
            throw new IllegalStateException("a partition needs root and " + IPTABLES + " (package iptables; bin/test installs it)");
        }
        List<String> others = new ArrayList<>();
        nodes.stream().filter(other -> other != node).forEach(other -> others.add(other.host));
        if (arbitrator != null) {
            others.add(arbitrator.host());
        }
        for (String other : others) {
            for (List<String> rule : List.of(List.of("-s", node.host, "-d", other), List.of("-s", other, "-d", node.host))) {
                List<String> args = new ArrayList<>(List.of("INPUT", "-p", "tcp"));
                args.addAll(rule);
                args.addAll(List.of("-j", "DROP"));
                iptables("-I", args);
                cuts.add(args);
            }
        }
        Node observer = nodes.stream().filter(n -> n != node && running(n)).findFirst().orElseThrow();
        awaitClusterSize(observer, members(true) - 1, "partitioning " + node);
        // The cut-off node notices on its own timers, which may run later than the others' under load.
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String status = status(node, "wsrep_cluster_status");
        while (!"non-Primary".equals(status)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(node + " is still " + status + " " + START_TIMEOUT.toSeconds()
                        + " s after it was cut off");
            }
            Thread.sleep(100);
            status = status(node, "wsrep_cluster_status");
        }
    }

    /** Deletes the partition's rules; the node reconnects and rejoins (by IST); returns once it is synced. */
    public void heal(Node node) throws Exception {
        for (var it = cuts.iterator(); it.hasNext(); ) {
            List<String> args = it.next();
            if (args.contains(node.host)) {
                iptables("-D", args);
                it.remove();
            }
        }
        awaitSynced(node);
        awaitClusterSize(node, members(true), "healing " + node);
    }

    /** The running members, the arbitrator included if {@code withArbitrator}. */
    private int members(boolean withArbitrator) {
        int running = (int) nodes.stream().filter(this::running).count();
        return running + (withArbitrator && arbitrator != null && arbitrator.process().isAlive() ? 1 : 0);
    }

    private static void iptables(String action, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(IPTABLES.toString(), "-w", "5", action));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
        }
    }

    /** Waits until {@code observer} reports wsrep_cluster_size {@code size}. */
    private void awaitClusterSize(Node observer, int size, String after) throws Exception {
        String expected = String.valueOf(size);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String seen = status(observer, "wsrep_cluster_size");
        while (!expected.equals(seen)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(observer + " still sees cluster size " + seen + ", not " + expected + ", "
                        + START_TIMEOUT.toSeconds() + " s after " + after);
            }
            Thread.sleep(100);
            seen = status(observer, "wsrep_cluster_size");
        }
    }

    /**
     * Deletes a stopped node's data directory, as after a lost disk: it can only rejoin by a full state
     * transfer (SST, rsync from a donor).
     */
    public void wipe(Node node) throws IOException {
        if (running(node)) {
            throw new IllegalStateException(node + " is running; stop it before deleting its data");
        }
        Path data = node.dir.resolve("data");
        try (Stream<Path> files = Files.walk(data)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(data)).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * Starts a stopped or killed node; it joins the running ones and this returns once it is synced. A
     * killed node first recovers its position from its InnoDB log ({@code --wsrep-recover}, as Debian's
     * {@code galera_recovery} does for the service), so that it too needs only an IST, not a full SST.
     */
    public void restart(Node node) throws Exception {
        launch(node, false, recoveredPosition(node));
        awaitSynced(node);
    }

    /** "uuid:seqno" from {@code mariadbd --wsrep-recover}, or {@code null} if the node was stopped cleanly. */
    private String recoveredPosition(Node node) throws Exception {
        Path grastate = node.dir.resolve("data/grastate.dat");
        if (!Files.exists(grastate) || !Files.readString(grastate).contains("seqno:   -1")) {
            return null;
        }
        Path log = node.dir.resolve("recover.log");
        Files.deleteIfExists(log);
        List<String> command = new ArrayList<>(serverCommand(node));
        command.add("--wsrep-recover");
        command.add("--log-error=" + log);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("mariadbd --wsrep-recover of " + node + " did not end within "
                    + START_TIMEOUT.toSeconds() + " s");
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            int at = line.indexOf("Recovered position: ");
            if (at >= 0) {
                return line.substring(at + "Recovered position: ".length()).strip();
            }
        }
        return null; // none found: the node gets an SST
    }

    /**
     * Lines of the node's log (all its starts) containing {@code text}, e.g. Galera's "SST received: " and
     * "IST received: " after each full or incremental state transfer.
     */
    public long logLines(Node node, String text) throws IOException {
        try (Stream<String> lines = Files.lines(node.dir.resolve("mariadbd.log"), StandardCharsets.UTF_8)) {
            return lines.filter(line -> line.contains(text)).count();
        }
    }

    public boolean running(Node node) {
        return node.process != null && node.process.isAlive();
    }

    /** A global status value of a node, e.g. wsrep_cluster_size. */
    public String status(Node node, String name) throws SQLException {
        try (Connection c = connect(node, ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE '" + name + "'")) {
            return rs.next() ? rs.getString(2) : null;
        }
    }

    private void bootstrap() throws Exception {
        Files.createDirectories(root);
        // Clients connect to a node's own 127.a.b.n address; Linux gives them a source address in 127/8.
        Files.writeString(init, "CREATE USER IF NOT EXISTS '" + USER + "'@'127.%' IDENTIFIED BY '" + PASSWORD
                + "';\nGRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'127.%' WITH GRANT OPTION;\n");
        Node first = nodes.get(0);
        prepareDirectories(first);
        Path log = first.dir.resolve("install.log");
        List<String> install = new ArrayList<>(List.of(INSTALL_DB.toString(), "--no-defaults", "--datadir=" + first.dir.resolve("data"),
                "--skip-test-db", "--innodb-log-file-size=10M", "--innodb-buffer-pool-size=64M"));
        install.add("--user=" + (asRoot() ? "mysql" : System.getProperty("user.name")));
        Process p = new ProcessBuilder(install).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("mariadb-install-db failed:\n" + Files.readString(log));
        }
        launch(first, true);
        for (Node node : nodes.subList(1, nodes.size())) {
            prepareDirectories(node);
        }
    }

    private void prepareDirectories(Node node) throws IOException {
        Files.createDirectories(node.dir.resolve("data"));
        Files.createDirectories(node.dir.resolve("tmp"));
        if (asRoot()) {
            UserPrincipal mysql = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("mysql");
            for (Path p : List.of(node.dir, node.dir.resolve("data"), node.dir.resolve("tmp"))) {
                Files.setOwner(p, mysql);
            }
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void launch(Node node, boolean newCluster) throws Exception {
        launch(node, newCluster, null);
    }

    private void launch(Node node, boolean newCluster, String startPosition) throws Exception {
        List<String> command = new ArrayList<>(serverCommand(node));
        if (newCluster) {
            if (galera) {
                command.add("--wsrep-new-cluster");
            }
            command.add("--init-file=" + init);
        }
        if (startPosition != null) {
            command.add("--wsrep-start-position=" + startPosition);
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CountDownLatch ready = new CountDownLatch(1);
        Path log = node.dir.resolve("mariadbd.log");
        Thread.ofPlatform().name("galera-" + node.n + "-output").daemon().start(() -> follow(p, ready, log));
        if (!ready.await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || !p.isAlive()) {
            p.destroyForcibly();
            throw new IllegalStateException(node + " did not start within " + START_TIMEOUT.toSeconds() + " s; see " + log
                    + ":\n" + tail(log));
        }
        node.process = p;
    }

    /** mariadbd and the settings of {@code node}, without the options of one start. */
    private List<String> serverCommand(Node node) {
        List<String> command = new ArrayList<>(List.of(MARIADBD.toString(), "--no-defaults",
                "--datadir=" + node.dir.resolve("data"), "--tmpdir=" + node.dir.resolve("tmp"),
                "--port=" + node.port, "--bind-address=" + node.host, "--socket=" + node.dir.resolve("tmp/mariadbd.sock"),
                "--pid-file=" + node.dir.resolve("data/mariadbd.pid"), "--skip-name-resolve", "--skip-ssl",
                "--innodb-log-file-size=10M", "--innodb-buffer-pool-size=64M",
                // What Galera requires: row-based replication, interleaved auto-increment locks, InnoDB.
                "--binlog-format=ROW", "--innodb-autoinc-lock-mode=2", "--default-storage-engine=InnoDB"));
        if (galera) {
            command.addAll(List.of("--wsrep-on=ON", "--wsrep-provider=" + PROVIDER, "--wsrep-cluster-name=pigw-test",
                    "--wsrep-cluster-address=" + members(), "--wsrep-node-name=node" + node.n,
                    "--wsrep-node-address=" + node.host + ":" + node.groupPort,
                    "--wsrep-provider-options=gmcast.listen_addr=tcp://" + node.host + ":" + node.groupPort
                            + ";ist.recv_addr=" + node.host + ":" + node.istPort + ";gcache.size=64M;" + GROUP_TIMEOUTS,
                    "--wsrep-sst-method=rsync", "--wsrep-sst-receive-address=" + node.host + ":" + node.sstPort));
        }
        if (asRoot()) {
            command.add("--user=mysql");
        }
        return command;
    }

    /** Waits until the node reports wsrep_local_state 4 (Synced) and wsrep_ready ON. */
    public void awaitSynced(Node node) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                String state = status(node, "wsrep_local_state");
                String ready = status(node, "wsrep_ready");
                if ("4".equals(state) && "ON".equals(ready)) {
                    return;
                }
                last = "wsrep_local_state " + state + ", wsrep_ready " + ready;
            } catch (SQLException e) {
                last = e.getMessage();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(node + " not synced within " + START_TIMEOUT.toSeconds() + " s: " + last);
    }

    /** Appends the server's output to its log file; opens {@code ready} at "ready for connections" or the end of the output. */
    private static void follow(Process p, CountDownLatch ready, Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                     java.nio.file.StandardOpenOption.APPEND)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write(line);
                out.newLine();
                out.flush();
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

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops every node (SIGKILL: the data is thrown away) and deletes the data directories. */
    @Override
    public synchronized void close() {
        for (List<String> args : cuts) {
            try {
                iptables("-D", args);
            } catch (Exception e) {
                System.err.println("cannot delete the firewall rule " + args + ": " + e.getMessage());
            }
        }
        cuts.clear();
        if (arbitrator != null) {
            arbitrator.process().destroyForcibly();
        }
        for (Node node : nodes) {
            if (node.process != null) {
                node.process.destroyForcibly();
                try {
                    node.process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                node.process = null;
            }
        }
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + root + ": " + e.getMessage());
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
