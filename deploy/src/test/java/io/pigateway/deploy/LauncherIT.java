package io.pigateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pigateway.testing.ProcessLines;
import io.pigateway.testing.TestDevice;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The programs as an operator runs them: through the packaged launchers, from a root the packages were unpacked into. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherIT {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Pattern READY = Pattern.compile("ready in \\d+ ms: listening on [^/]*/([0-9a-f.:]+):(\\d+)");
    private static final Path JDK_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

    @Test
    void gatewayRunsAsTheLaunchersOwnProcessCommitsReadingsAndStopsOnSigterm() throws Exception {
        Path work = Packages.workDir("gateway-run");
        Path config = Files.writeString(work.resolve("gateway.conf"), String.join("\n",
                "listen.address = 127.0.0.1", "listen.port = 0", "store.type = embedded",
                "store.embedded-path = " + work.resolve("store"), "log.stats-interval = 0s", "auth.mode = open", ""));
        Path launcher = Packages.GATEWAY.launcher(Packages.sharedRoot());
        // This JVM's environment, as an operator's shell would have it: the launcher picks the Java itself.
        Process gateway = Command.of(launcher.toString(), "run", "--config", config.toString()).start();
        ProcessLines lines = ProcessLines.follow(gateway, "gateway");
        try {
            Matcher ready = READY.matcher(lines.await("ready in", LIMIT));
            assertTrue(ready.find());
            // exec: the launched process itself is now the JVM, as systemd's NotifyAccess=main needs.
            String command = gateway.info().command().orElse("?");
            assertTrue(command.endsWith("/bin/java"), command);

            InetSocketAddress address = new InetSocketAddress(ready.group(1), Integer.parseInt(ready.group(2)));
            try (TestDevice device = TestDevice.connect(address, "deploy-it", 7)) {
                device.sendRange(1, 100, 50);
                assertEquals(100, device.awaitAck(100, Duration.ofSeconds(20)));
            }

            gateway.toHandle().destroy(); // SIGTERM
            assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "the gateway stops after SIGTERM");
            assertEquals(143, gateway.exitValue(), "an orderly stop after SIGTERM (SuccessExitStatus=143 in the unit)");
            assertTrue(lines.await("stopped:", LIMIT).contains("100 readings committed"));
        } finally {
            gateway.destroyForcibly();
        }
    }

    @Test
    void sensorClientAcceptsASimulatedSensorConfiguration() throws Exception {
        Path work = Packages.workDir("client-check");
        Path config = Files.writeString(work.resolve("sensor-client.conf"), String.join("\n",
                "device.id = deploy-it", "gateway.addresses = 127.0.0.1:4711", "spool.dir = " + work.resolve("spool"),
                "sensor.t.type = temperature", "sensor.t.interval = 1s", "sensor.door.type = toggle", ""));
        Command.Result r = Command.of(Packages.SENSOR_CLIENT.launcher(Packages.sharedRoot()).toString(),
                "check-config", "--config", config.toString()).run(LIMIT).expect(0);
        assertTrue(r.output().startsWith("# " + config + " is valid; effective configuration (key = value  # from):\n"), r.output());
        assertTrue(r.output().matches("(?s).*\nsensor\\.door\\.type = toggle +# line 6\n.*"), r.output());
    }

    @Test
    void sensorClientRefusesABadConfigurationWithExitCode2() throws Exception {
        Path config = Files.writeString(Packages.workDir("client-bad").resolve("sensor-client.conf"),
                "device.id = deploy-it\ngateway.addresses = 127.0.0.1:4711\nsensor.t.type = thermometer\n");
        Command.Result r = Command.of(Packages.SENSOR_CLIENT.launcher(Packages.sharedRoot()).toString(),
                "check-config", "--config", config.toString()).run(LIMIT).expect(2);
        assertTrue(r.output().contains("thermometer"), r.output());
    }

    /** The files installed to /etc/pi-gateway are valid as shipped, so `check-config` passes right after installing. */
    @Test
    void packagedConfigurationsPassCheckConfig() throws Exception {
        Path root = Packages.sharedRoot();
        // The packaged gateway.conf names /etc/pi-gateway/devices; here it is in the scratch root.
        String devices = root.resolve("etc/pi-gateway/devices").toString();
        // The client's spool.dir is /var/lib/pi-sensor-client/spool, whose parent postinst makes: here, in the root.
        String spool = Files.createDirectories(root.resolve("var/lib/pi-sensor-client")).resolve("spool").toString();
        for (Packages p : Packages.values()) {
            Command.Result r = Command.of(p.launcher(root).toString(), "check-config", "--config",
                    p.packagedConfig(root).toString()).env("PIGW_GATEWAY_AUTH_DEVICES_FILE", devices)
                    .env("PIGW_CLIENT_SPOOL_DIR", spool).run(LIMIT);
            assertEquals(0, r.exit(), p.config + ":\n" + r.output());
        }
        Command.Result gateway = Command.of(Packages.GATEWAY.launcher(root).toString(), "check-config", "--config",
                Packages.GATEWAY.packagedConfig(root).toString()).env("PIGW_GATEWAY_AUTH_DEVICES_FILE", devices).run(LIMIT);
        assertTrue(gateway.output().contains("auth: device secrets, 0 devices in " + devices), gateway.output());
        assertTrue(gateway.output().contains("embedded H2 store at /var/lib/pi-gateway/store"), gateway.output());
    }

    @Test
    void withoutJava21TheLauncherSaysWhatItFoundAndWhatIsNeededAndExits127() throws Exception {
        assumeTrue(Files.isExecutable(JDK_17.resolve("bin/java")), JDK_17 + " is not installed");
        Path work = Packages.workDir("no-java");
        Path noJdks = Files.createDirectories(work.resolve("jvm"));
        Command.Result r = Command.of(Packages.GATEWAY.launcher(Packages.sharedRoot()).toString(), "check-config")
                .cleanEnv()
                .env("PATH", tools(work).toString())
                .env("JAVA_HOME", JDK_17.toString())
                .env("PI_GATEWAY_JVM_DIRS", noJdks.toString())
                .run(LIMIT).expect(127);
        String out = r.output();
        assertTrue(out.startsWith("pi-gateway: needs Java 21 or newer, and found none:"), out);
        assertTrue(out.contains("JAVA_HOME: " + JDK_17 + "/bin/java is Java 17"), out);
        assertTrue(out.contains("PATH: no java"), out);
        assertTrue(out.contains(noJdks + ": no Java installation"), out);
        assertTrue(out.contains("openjdk-21-jre-headless"), out);
    }

    @Test
    void theLauncherPassesOverAnOldJavaOnPathForAJava21InTheJdkDirectories() throws Exception {
        assumeTrue(Files.isExecutable(JDK_17.resolve("bin/java")), JDK_17 + " is not installed");
        Path work = Packages.workDir("old-java-on-path");
        Path path = tools(work);
        Files.createSymbolicLink(path.resolve("java"), JDK_17.resolve("bin/java"));
        // The JDK running this test is 21 or newer (the build's toolchain): it is the one to be found.
        Path thisJdk = Path.of(System.getProperty("java.home"));
        String out = Command.of(Packages.SENSOR_CLIENT.launcher(Packages.sharedRoot()).toString(), "--version")
                .cleanEnv()
                .env("PATH", path.toString())
                .env("PI_SENSOR_CLIENT_JVM_DIRS", work.resolve("nothing-here") + ":" + thisJdk)
                .run(LIMIT).expect(0).output();
        assertTrue(out.startsWith("pi-sensor-client "), out);
    }

    /** systemd's {@code Environment=NAME=} (set, empty) means "no override": the defaults apply, not nothing. */
    @Test
    void anEnvironmentVariableThatIsSetButEmptyGivesTheDefault() throws Exception {
        Path work = Packages.workDir("empty-variables");
        // A stand-in Java 21 whose "JVM" prints the options it was given, one a line.
        Path fake = Files.createDirectories(work.resolve("fake-jdk/bin")).getParent();
        Files.writeString(fake.resolve("release"), "JAVA_VERSION=\"21.0.9\"\n");
        Path fakeJava = Files.writeString(fake.resolve("bin/java"), "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
        String options = Command.of(Packages.SENSOR_CLIENT.launcher(Packages.sharedRoot()).toString(), "--version")
                .cleanEnv()
                .env("PATH", tools(work).toString())
                .env("PI_SENSOR_CLIENT_JVM_DIRS", fake.toString())
                .env("PI_SENSOR_CLIENT_JAVA_OPTS", "")
                .run(LIMIT).expect(0).output();
        assertTrue(options.lines().toList().containsAll(List.of("-Xms8m", "-Xmx24m", "-XX:+ExitOnOutOfMemoryError", "-jar")),
                options);

        // PI_GATEWAY_JVM_DIRS empty: /usr/lib/jvm, where the JDK running this test is (the build's toolchain).
        assumeTrue(Path.of(System.getProperty("java.home")).startsWith("/usr/lib/jvm"),
                "needs a Java 21+ under /usr/lib/jvm, the default");
        String version = Command.of(Packages.GATEWAY.launcher(Packages.sharedRoot()).toString(), "--version")
                .cleanEnv()
                .env("PATH", tools(Packages.workDir("empty-variables-gateway")).toString())
                .env("PI_GATEWAY_JVM_DIRS", "")
                .run(LIMIT).expect(0).output();
        assertTrue(version.startsWith("pi-gateway "), version);
    }

    @Test
    void theLauncherFindsItsJarsThroughASymlink() throws Exception {
        Path link = Packages.workDir("symlinked").resolve("pi-sensor-client");
        Files.createSymbolicLink(link, Packages.SENSOR_CLIENT.launcher(Packages.sharedRoot()).toAbsolutePath());
        String out = Command.of(link.toString(), "--version").run(LIMIT).expect(0).output();
        assertTrue(out.startsWith("pi-sensor-client "), out);
    }

    /** The packaged programs print the version they were built as, the package's own (0.1.0~SNAPSHOT: 0.1.0-SNAPSHOT). */
    @Test
    void bothPackagedProgramsPrintTheBuildsVersion() throws Exception {
        String version = Packages.VERSION.replace('~', '-');
        for (Packages p : Packages.values()) {
            String out = Command.of(p.launcher(Packages.sharedRoot()).toString(), "--version").run(LIMIT).expect(0).output();
            assertEquals(p.launcher(Packages.sharedRoot()).getFileName() + " " + version, out.strip());
        }
    }

    /** A PATH with only the two tools the launcher itself uses (everything else is a shell builtin). */
    private static Path tools(Path work) throws Exception {
        Path bin = Files.createDirectories(work.resolve("bin"));
        for (String tool : List.of("readlink", "sed")) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool));
        }
        return bin;
    }
}
