package io.pigateway.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the two .deb files hold, read with dpkg-deb as apt would see it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PackageContentsIT {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @ParameterizedTest
    @EnumSource(Packages.class)
    void isArchitectureAllWithTheDebianFormOfTheMavenVersion(Packages p) throws Exception {
        String fields = Command.of("dpkg-deb", "--field", p.deb().toString(), "Package", "Version", "Architecture")
                .run(LIMIT).expect(0).output();
        assertEquals("Package: " + p.name + "\nVersion: " + Packages.VERSION + "\nArchitecture: all\n", fields);
        // A hyphen would make the rest a Debian revision; the Maven -SNAPSHOT must sort before the release.
        assertFalse(Packages.VERSION.contains("-"), Packages.VERSION);
    }

    @ParameterizedTest
    @EnumSource(Packages.class)
    void installsJarsLauncherConfigUnitManPageAndDocsWithTheirModes(Packages p) throws Exception {
        Map<String, String> modes = contents(p);
        String n = p.name;
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("/usr/bin/" + n, "-rwxr-xr-x root/root");
        expected.put("/usr/share/" + n + "/" + n + ".jar", "-rw-r--r-- root/root");
        expected.put("/etc/pi-gateway/" + p.config, "-rw-r--r-- root/root");
        expected.put("/lib/systemd/system/" + p.unit, "-rw-r--r-- root/root");
        expected.put("/usr/share/man/man1/" + n + ".1.gz", "-rw-r--r-- root/root");
        expected.put("/usr/share/doc/" + n + "/copyright", "-rw-r--r-- root/root");
        expected.put("/usr/share/doc/" + n + "/changelog.gz", "-rw-r--r-- root/root");
        expected.put("/usr/share/doc/" + n + "/README.md", "-rw-r--r-- root/root");
        expected.put("/usr/share/lintian/overrides/" + n, "-rw-r--r-- root/root");
        expected.forEach((path, mode) -> assertEquals(mode, modes.get(path), path));
        modes.forEach((path, mode) -> {
            if (path.endsWith("/")) {
                assertEquals("drwxr-xr-x root/root", mode, path);
            }
        });
        // Nothing under /var: the state directories belong to the service user, made at run time.
        assertTrue(modes.keySet().stream().noneMatch(path -> path.startsWith("/var")), modes.keySet().toString());
    }

    @ParameterizedTest
    @EnumSource(Packages.class)
    void libHoldsExactlyTheModulesRuntimeJars(Packages p) throws Exception {
        String prefix = "/usr/share/" + p.name + "/lib/";
        Set<String> packaged = contents(p).keySet().stream()
                .filter(path -> path.startsWith(prefix) && !path.equals(prefix))
                .map(path -> path.substring(prefix.length()))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> built;
        try (Stream<Path> s = Files.list(p.moduleLib())) {
            built = s.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(built, packaged);
    }

    /** Jars that dependencies bring but nothing runs: an unmaintained SSH library, protobuf, OpenTelemetry hooks. */
    @ParameterizedTest
    @EnumSource(Packages.class)
    void libLeavesOutTheJarsNothingUses(Packages p) throws Exception {
        String prefix = "/usr/share/" + p.name + "/lib/";
        List<String> unused = contents(p).keySet().stream()
                .filter(path -> path.startsWith(prefix))
                .map(path -> path.substring(prefix.length()))
                .filter(jar -> jar.startsWith("jsch-") || jar.startsWith("protobuf-java-")
                        || jar.startsWith("prometheus-metrics-tracer-otel"))
                .toList();
        assertEquals(List.of(), unused);
    }

    @Test
    void gatewayPackageShipsTheSchemaFilesForAnAdministrator() throws Exception {
        String prefix = "/usr/share/pi-gateway/sql/";
        Set<String> packaged = contents(Packages.GATEWAY).keySet().stream()
                .filter(path -> path.startsWith(prefix) && !path.equals(prefix))
                .map(path -> path.substring(prefix.length()))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> schema;
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("schema.dir")))) {
            schema = s.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".sql") || f.equals("migrations.txt"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertTrue(schema.contains("001_initial_schema.sql"), schema.toString());
        assertEquals(schema, packaged);
    }

    /** lintian cannot read a wrapped Class-Path (see the lintian overrides); this checks it instead. */
    @ParameterizedTest
    @EnumSource(Packages.class)
    void everyJarOnTheMainJarsClassPathIsInstalled(Packages p) throws Exception {
        Path home = p.home(Packages.sharedRoot());
        String classPath;
        try (JarFile jar = new JarFile(home.resolve(p.name + ".jar").toFile())) {
            classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
        }
        List<String> entries = Arrays.asList(classPath.trim().split("\\s+"));
        assertTrue(entries.size() > 5, classPath);
        for (String entry : entries) {
            assertTrue(Files.isRegularFile(home.resolve(entry)), entry + " is on the Class-Path but not installed");
        }
    }

    @ParameterizedTest
    @EnumSource(Packages.class)
    void theConfigurationFileIsAConffile(Packages p) throws Exception {
        String conffiles = Command.of("dpkg-deb", "--info", p.deb().toString(), "conffiles").run(LIMIT).expect(0).output();
        String expected = "/etc/pi-gateway/" + p.config + "\n" + (p == Packages.GATEWAY ? "/etc/pi-gateway/devices\n" : "");
        assertEquals(expected, conffiles);
    }

    @org.junit.jupiter.api.Test
    void theDevicesFileShipsPrivateSoTheGatewayAcceptsIt() throws Exception {
        String contents = Command.of("dpkg-deb", "--contents", Packages.GATEWAY.deb().toString()).run(LIMIT).expect(0).output();
        String line = contents.lines().filter(l -> l.endsWith("./etc/pi-gateway/devices")).findFirst().orElseThrow();
        assertTrue(line.startsWith("-rw------- "), line);
    }

    @ParameterizedTest
    @EnumSource(Packages.class)
    void maintainerScriptsArePresentExecutableAndValidShell(Packages p) throws Exception {
        Path control = Packages.workDir("control-" + p.name).resolve("DEBIAN");
        Command.of("dpkg-deb", "--control", p.deb().toString(), control.toString()).run(LIMIT).expect(0);
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Path file = control.resolve(script);
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), script);
            assertTrue(Files.readString(file).startsWith("#!/bin/sh\n"), script);
            Command.of("sh", "-n", file.toString()).run(LIMIT).expect(0);
        }
    }

    /** Debian policy: gzip -9n, so the header has no file name, no time stamp and says "maximum compression". */
    @ParameterizedTest
    @EnumSource(Packages.class)
    void manPageAndChangelogAreGzippedAtMaximumCompressionWithoutNameOrTime(Packages p) throws Exception {
        Path root = Packages.sharedRoot();
        for (String file : List.of("usr/share/man/man1/" + p.name + ".1.gz", "usr/share/doc/" + p.name + "/changelog.gz")) {
            byte[] header = Arrays.copyOf(Files.readAllBytes(root.resolve(file)), 10);
            assertArrayEquals(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3}, header,
                    file + ": magic, deflate, no flags (no name), mtime 0, XFL 2 (max compression), OS Unix");
        }
    }

    @Test
    void bothPackagesShipTheSameLauncherAndTheUnitsFromTheRepository() throws Exception {
        Path root = Packages.sharedRoot();
        assertArrayEquals(Files.readAllBytes(Packages.GATEWAY.launcher(root)),
                Files.readAllBytes(Packages.SENSOR_CLIENT.launcher(root)));
        for (Packages p : Packages.values()) {
            assertArrayEquals(Files.readAllBytes(Packages.UNITS.resolve(p.unit)), Files.readAllBytes(p.packagedUnit(root)),
                    p.unit);
        }
    }

    /** Java is recommended, not required: a JDK installed by hand satisfies no package dependency. */
    @ParameterizedTest
    @EnumSource(Packages.class)
    void dependsOnNoJavaPackageAndRecommendsJava21(Packages p) throws Exception {
        String depends = Command.of("dpkg-deb", "--field", p.deb().toString(), "Depends").run(LIMIT).expect(0).output();
        String recommends = Command.of("dpkg-deb", "--field", p.deb().toString(), "Recommends").run(LIMIT).expect(0).output();
        assertFalse(depends.contains("java") || depends.contains("jdk") || depends.contains("jre"), depends);
        assertTrue(depends.contains("adduser"), depends);
        assertTrue(recommends.startsWith("openjdk-21-jre-headless | java21-runtime-headless"), recommends);
    }

    /** Path to "mode owner/group" from {@code dpkg-deb --contents}, paths without the leading ".". */
    private static Map<String, String> contents(Packages p) throws IOException, InterruptedException {
        String listing = Command.of("dpkg-deb", "--contents", p.deb().toString()).run(LIMIT).expect(0).output();
        Map<String, String> modes = new LinkedHashMap<>();
        for (String line : listing.split("\n")) {
            String[] f = line.trim().split("\\s+");
            modes.put(f[f.length - 1].substring(1), f[0] + " " + f[1]);
        }
        return modes;
    }
}
