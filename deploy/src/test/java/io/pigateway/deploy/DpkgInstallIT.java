package io.pigateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pigateway.testing.FileTrees;
import io.pigateway.testing.ProcessLines;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * deploy/README.md followed on this machine's Debian, for real: both .debs installed with
 * {@code dpkg -i}; the database set up by README section 3's own shell block against a MariaDB
 * started for the test (Debian's mariadb-server, own data directory and port); the devices file and
 * the device secret made by section 4's block; both programs' {@code check-config} and {@code run}
 * as their service users (there is no systemd here: {@code setpriv} runs the installed launcher as
 * the unit would, with the unit's plain environment); readings from the client's simulated sensors
 * arrive in the database through the least-privilege account. Then an upgrade to a newer build (the
 * same packages repacked with a higher version) keeps users, configuration, secrets and state, and
 * the gateway goes on storing; {@code dpkg --remove} and {@code --purge} keep and delete what
 * "Removing" says.
 *
 * <p>It changes the machine (packages, users, /etc/pi-gateway), so it runs only as root, only when
 * neither package nor /etc/pi-gateway is there already, and undoes everything in {@code finally}:
 * packages purged, the users and groups it created deleted, the database server stopped.
 */
@Timeout(value = 115, unit = TimeUnit.SECONDS)
class DpkgInstallIT {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Path ETC = Path.of("/etc/pi-gateway");
    private static final Path README = Path.of("README.md");
    private static final Path MARIADBD = Path.of("/usr/sbin/mariadbd");
    private static final Path INSTALL_DB = Path.of("/usr/bin/mariadb-install-db");
    private static final Pattern DATABASE_BLOCK = Pattern.compile("<!-- database-setup: [^>]*-->\n```sh\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CONFIG_BLOCK = Pattern.compile("<!-- database-setup-config: [^>]*-->\n```ini\n(.*?)```",
            Pattern.DOTALL);
    private static final Pattern DEVICES_BLOCK = Pattern.compile("<!-- devices-setup: [^>]*-->\n```sh\n(.*?)```", Pattern.DOTALL);
    /** What a systemd unit's process starts with (no JAVA_HOME: the launcher finds Java itself). */
    private static final Map<String, String> UNIT_ENV = Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG", "C.UTF-8");
    private static final List<String> USERS = List.of("pi-gateway", "pi-sensor-client");
    private static final List<String> GROUPS = List.of("gpio", "i2c");

    private final List<Process> started = new ArrayList<>();
    private Path socket;

    @Test
    void theDocumentedInstallStreamsReadingsSurvivesAnUpgradeAndRemoveAndPurgeKeepAndDeleteWhatTheReadmeSays()
            throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "installs packages and creates users: runs only as root"
                + " (bin/test in CI); as " + System.getProperty("user.name") + " it is skipped");
        assumeTrue(Command.onPath("dpkg") && Command.onPath("setpriv"), "needs dpkg and setpriv (a Debian system)");
        assumeTrue(Files.isExecutable(MARIADBD) && Files.isExecutable(INSTALL_DB),
                "needs Debian's mariadb-server (bin/test installs it)");
        Path work = Packages.workDir("dpkg-install");
        try (FileChannel lockFile = FileChannel.open(Path.of("/tmp/pi-gateway-dpkg-install-it.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            assumeFalse(installed("pi-gateway") || installed("pi-sensor-client") || Files.exists(ETC),
                    "pi-gateway or pi-sensor-client is installed here, or /etc/pi-gateway exists: this test installs and purges"
                            + " them, so it runs only on a machine without them");
            List<String> newUsers = USERS.stream().filter(u -> !exists("passwd", u)).toList();
            List<String> newGroups = GROUPS.stream().filter(g -> !exists("group", g)).toList();
            try {
                installUpgradeRemovePurge(work);
            } finally {
                cleanUp(newUsers, newGroups);
            }
        }
    }

    private void installUpgradeRemovePurge(Path work) throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int dbPort = startMariaDb(work);

        // Section 2: install.
        dpkg("-i", Packages.GATEWAY.deb().toString(), Packages.SENSOR_CLIENT.deb().toString());
        for (String user : USERS) {
            assertTrue(exists("passwd", user), "the package created the user " + user);
        }

        // Section 3: gateway.conf's store lines replaced by the README's, then its shell block as written.
        // Only sudo and mysql are stood in for: sudo is not installed here (this runs as root), and the
        // server is the test's own, on its own socket. The ports are free ones, not the defaults.
        int port = freePort();
        int httpPort = freePort();
        Path gatewayConf = ETC.resolve("gateway.conf");
        List<String> lines = new ArrayList<>(Files.readAllLines(gatewayConf).stream()
                .filter(l -> !l.startsWith("store.type =") && !l.startsWith("store.embedded-path =")
                        && !l.startsWith("listen.address =") && !l.startsWith("listen.port ="))
                .toList());
        lines.addAll(block(CONFIG_BLOCK, readme).lines().toList());
        lines.addAll(List.of("store.port = " + dbPort, "listen.address = 127.0.0.1", "listen.port = " + port,
                "http.port = " + httpPort));
        Files.write(gatewayConf, lines);
        String database = shell(block(DATABASE_BLOCK, readme));
        assertTrue(database.contains("applied migration 001 (initial schema)"), database);

        // Section 4: the devices file and the device secret by the README's block; systemctl reload is
        // for a running gateway, and this one starts later.
        shell("systemctl() { :; }\n" + block(DEVICES_BLOCK, readme));
        Path clientConf = ETC.resolve("sensor-client.conf");
        Files.writeString(clientConf, Files.readString(clientConf)
                .replaceAll("(?m)^gateway\\.addresses = .*$", "gateway.addresses = 127.0.0.1:" + port)
                + "device.secret-file = /etc/pi-gateway/device-secret\n");
        Command.of("setpriv", "--reuid=pi-gateway", "--regid=pi-gateway", "--init-groups", "pi-gateway", "check-config")
                .cleanEnv().envAll(UNIT_ENV).run(LIMIT).expect(0);
        Command.of("setpriv", "--reuid=pi-sensor-client", "--regid=pi-sensor-client", "--init-groups", "pi-sensor-client",
                "check-config").cleanEnv().envAll(UNIT_ENV).run(LIMIT).expect(0);

        // Section 5: run both as their users; readings arrive through the gateway account.
        long before = streamReadings(0);

        // Upgrading: the same packages with a higher version.
        Map<Path, String> kept = new LinkedHashMap<>();
        for (String f : List.of("gateway.conf", "sensor-client.conf", "devices", "db-password", "device-secret")) {
            kept.put(ETC.resolve(f), Files.readString(ETC.resolve(f)));
        }
        Map<String, String> ids = new LinkedHashMap<>();
        for (String user : USERS) {
            ids.put(user, Command.of("id", user).run(LIMIT).expect(0).output());
        }
        Path spool = Path.of("/var/lib/pi-sensor-client/spool");
        assertTrue(Files.isDirectory(spool), "the client made its spool in its state directory");
        String newVersion = Packages.VERSION + "+1";
        Command.of("dpkg", "--compare-versions", newVersion, "gt", Packages.VERSION).run(LIMIT).expect(0);
        Path gatewayDeb = repack(Packages.GATEWAY.deb(), newVersion, work);
        Path clientDeb = repack(Packages.SENSOR_CLIENT.deb(), newVersion, work);
        dpkg("-i", gatewayDeb.toString(), clientDeb.toString());
        for (String p : List.of("pi-gateway", "pi-sensor-client")) {
            assertEquals(newVersion, Command.of("dpkg-query", "-W", "-f", "${Version}", p).run(LIMIT).expect(0).output());
        }
        for (Map.Entry<Path, String> e : kept.entrySet()) {
            assertEquals(e.getValue(), Files.readString(e.getKey()), e.getKey() + " is kept as it was by an upgrade");
        }
        for (String user : USERS) {
            assertEquals(ids.get(user), Command.of("id", user).run(LIMIT).expect(0).output(), "the user stays as it was");
        }
        assertTrue(Files.isDirectory(spool), "the spool stays");
        assertTrue(streamReadings(before) > before, "the upgraded programs go on storing readings");

        // Removing: remove keeps configuration and state, purge deletes them; the users stay.
        dpkg("--remove", "pi-gateway", "pi-sensor-client");
        for (Path gone : List.of(Path.of("/usr/bin/pi-gateway"), Path.of("/usr/bin/pi-sensor-client"),
                Path.of("/usr/share/pi-gateway"), Path.of("/lib/systemd/system/gateway.service"))) {
            assertFalse(Files.exists(gone), gone + " goes with remove");
        }
        for (Path stays : List.of(ETC.resolve("gateway.conf"), ETC.resolve("sensor-client.conf"), ETC.resolve("devices"),
                ETC.resolve("db-password"), ETC.resolve("device-secret"), Path.of("/var/lib/pi-gateway"), spool)) {
            assertTrue(Files.exists(stays), stays + " stays after remove (README: keeps /etc/pi-gateway and /var/lib/...)");
        }
        dpkg("--purge", "pi-gateway", "pi-sensor-client");
        for (Path gone : List.of(ETC, Path.of("/var/lib/pi-gateway"), Path.of("/var/lib/pi-sensor-client"))) {
            assertFalse(Files.exists(gone), gone + " goes with purge (README: Removing); left: " + listing(gone));
        }
        for (String user : USERS) {
            assertTrue(exists("passwd", user), "the user " + user + " stays after purge, as README says");
        }
        for (String group : GROUPS) {
            assertTrue(exists("group", group), "the group " + group + " stays after purge, as README says");
        }
    }

    /**
     * Starts the installed gateway and client as their users, waits until the database holds more
     * than {@code after} readings, stops both with SIGTERM (an exit status the units count as success: 0, or
     * 143 for their SuccessExitStatus=) and returns the count.
     */
    private long streamReadings(long after) throws Exception {
        Process gateway = asUser("pi-gateway", "pi-gateway", "run");
        ProcessLines gatewayLines = ProcessLines.follow(gateway, "gateway");
        gatewayLines.await("ready in", LIMIT);
        assertEquals("pi-gateway", gateway.info().user().orElse("?"), "the JVM runs as the service user");
        Process client = asUser("pi-sensor-client", "pi-sensor-client", "run");
        ProcessLines.follow(client, "client");
        long deadline = System.nanoTime() + LIMIT.toNanos();
        long rows = 0;
        while (rows <= after + 5 && System.nanoTime() < deadline) {
            assertTrue(client.isAlive(), "the client runs");
            Thread.sleep(200); // the count in the database is the event; there is no signal to wait on
            rows = Long.parseLong(sql("SELECT COUNT(*) FROM pi.readings WHERE device_id = 'pi-greenhouse-1'").strip());
        }
        assertTrue(rows > after + 5, "readings of pi-greenhouse-1 in the database: " + rows + ", before: " + after);
        for (Process p : List.of(client, gateway)) {
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), p.info().commandLine().orElse("?") + " stops after SIGTERM");
            assertTrue(p.exitValue() == 0 || p.exitValue() == 143, "an orderly stop after SIGTERM, not " + p.exitValue());
        }
        return Long.parseLong(sql("SELECT COUNT(*) FROM pi.readings WHERE device_id = 'pi-greenhouse-1'").strip());
    }

    private Process asUser(String user, String... command) throws IOException {
        List<String> args = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups"));
        args.addAll(List.of(command));
        Process p = Command.of(args).cleanEnv().envAll(UNIT_ENV).in(Path.of("/")).start();
        started.add(p);
        return p;
    }

    /** The .deb unpacked with its control files, its version set to {@code version}, and packed again. */
    private static Path repack(Path deb, String version, Path work) throws Exception {
        Path tree = work.resolve("repack").resolve(deb.getFileName().toString().replace(".deb", ""));
        FileTrees.delete(tree);
        Files.createDirectories(tree.getParent());
        Command.of("dpkg-deb", "-R", deb.toString(), tree.toString()).run(LIMIT).expect(0);
        Path control = tree.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control).replaceAll("(?m)^Version: .*$", "Version: " + version));
        Path out = work.resolve(deb.getFileName().toString().replace(Packages.VERSION, version));
        // gzip at its fastest: xz, dpkg-deb's default, takes half a minute for the jars on a small machine.
        Command.of("dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "-b", tree.toString(), out.toString()).run(LIMIT).expect(0);
        return out;
    }

    /** A fresh data directory and a server on a free port, root signing in over its socket; returns the port. */
    private int startMariaDb(Path work) throws Exception {
        Path data = work.resolve("mysql-data");
        Path tmp = Files.createDirectories(work.resolve("mysql-tmp"));
        socket = work.resolve("mysqld.sock");
        Command.of(INSTALL_DB.toString(), "--no-defaults", "--datadir=" + data, "--user=root", "--skip-test-db",
                "--innodb-log-file-size=10M").run(LIMIT).expect(0);
        int port = freePort();
        Process server = Command.of(MARIADBD.toString(), "--no-defaults", "--datadir=" + data, "--tmpdir=" + tmp,
                "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + socket, "--pid-file=" + work.resolve("mysqld.pid"),
                "--user=root", "--skip-name-resolve", "--skip-ssl", "--innodb-log-file-size=10M",
                "--innodb-buffer-pool-size=64M").start();
        started.add(server);
        ProcessLines.follow(server, "mariadbd").await("ready for connections", LIMIT);
        return port;
    }

    private String sql(String statement) throws Exception {
        return Command.of("mariadb", "--no-defaults", "--socket=" + socket, "-N", "-B", "-e", statement).run(LIMIT).expect(0)
                .output();
    }

    /** Runs {@code script} in bash, as root, after stand-ins for sudo and mysql (see above); returns its output. */
    private String shell(String script) throws Exception {
        String prelude = String.join("\n", "set -e",
                "sudo() { while [ \"${1#-}\" != \"$1\" ]; do if [ \"$1\" = -u ]; then shift; fi; shift; done; \"$@\"; }",
                "mysql() { command mariadb --no-defaults --socket='" + socket + "' \"$@\"; }", "");
        Command.Result r = Command.of("bash", "-c", prelude + script).cleanEnv().envAll(UNIT_ENV).env("HOME", "/root")
                .run(Duration.ofSeconds(60));
        System.out.println(r.output());
        return r.expect(0).output();
    }

    private static void dpkg(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("dpkg", "--force-confdef", "--force-confold"));
        command.addAll(List.of(args));
        Command.Result r = Command.of(command).env("DEBIAN_FRONTEND", "noninteractive").run(Duration.ofSeconds(60));
        System.out.println(r.output());
        r.expect(0);
    }

    /** Whatever happens: processes stopped, packages purged, leftovers and what the test created deleted. */
    private void cleanUp(List<String> newUsers, List<String> newGroups) throws Exception {
        // After a @Timeout, JUnit has interrupted this thread: clear that, or every wait below would end at once.
        boolean interrupted = Thread.interrupted();
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        Command.of("dpkg", "--purge", "pi-gateway", "pi-sensor-client").run(Duration.ofSeconds(60));
        FileTrees.delete(ETC); // what a failed step may have left (the README's password files)
        for (String user : newUsers) {
            Command.of("userdel", user).run(LIMIT);
            Command.of("groupdel", user).run(LIMIT); // in case userdel left the user's own group
        }
        for (String group : newGroups) {
            Command.of("groupdel", group).run(LIMIT);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean installed(String name) throws Exception {
        Command.Result r = Command.of("dpkg-query", "-W", "-f", "${db:Status-Status}", name).run(LIMIT);
        return r.exit() == 0 && !r.output().strip().equals("not-installed");
    }

    private static boolean exists(String database, String name) {
        try {
            return Command.of("getent", database, name).run(LIMIT).exit() == 0;
        } catch (Exception e) {
            throw new AssertionError("getent " + database + " " + name + ": " + e, e);
        }
    }

    private static String listing(Path p) throws IOException {
        if (!Files.exists(p)) {
            return "nothing";
        }
        try (var s = Files.walk(p)) {
            return s.map(Path::toString).toList().toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String block(Pattern p, String readme) {
        Matcher m = p.matcher(readme);
        if (!m.find()) {
            throw new AssertionError(README.toAbsolutePath() + " lacks the block " + p.pattern());
        }
        return m.group(1);
    }
}
