package io.pigateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One commit builds byte-identical packages: nothing in them carries the time of the build, and
 * nothing the order in which a file system lists a directory. Every member of the .deb (an ar
 * archive), every entry of its control and data tars, and every entry of the project's own jars
 * inside has the time {@code project.build.outputTimestamp}; the data tar lists its entries in path
 * order; and a second build of the packages gives the same bytes. (Two clean builds of one commit,
 * compared by checksum, remain the end-to-end check: the second build here reuses the jars the first
 * one made, which the time checks cover.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReproducibleDebsIT {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Instant OUTPUT_TIME = Instant.parse(System.getProperty("build.outputTimestamp"));

    @Test
    void everyMemberOfTheDebHasTheFixedTime() throws Exception {
        for (Packages p : Packages.values()) {
            List<String> members = new ArrayList<>();
            try (DataInputStream in = new DataInputStream(Files.newInputStream(p.deb()))) {
                byte[] magic = in.readNBytes(8);
                assertEquals("!<arch>\n", new String(magic, StandardCharsets.US_ASCII));
                byte[] header = new byte[60];
                while (in.readNBytes(header, 0, 60) == 60) {
                    // ar header: name 0-15, mtime 16-27 (decimal seconds), ..., size 48-57 (decimal bytes).
                    String name = field(header, 0, 16);
                    long mtime = Long.parseLong(field(header, 16, 12));
                    long size = Long.parseLong(field(header, 48, 10));
                    members.add(name);
                    assertEquals(OUTPUT_TIME.getEpochSecond(), mtime, p.deb() + ": member " + name);
                    in.skipNBytes(size + (size & 1));
                }
            }
            assertEquals(List.of("debian-binary", "control.tar.gz", "data.tar.gz"), members, p.deb().toString());
        }
    }

    @Test
    void everyFileInTheControlAndDataTarsHasTheFixedTime() throws Exception {
        String fixed = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(OUTPUT_TIME.atOffset(ZoneOffset.UTC));
        for (Packages p : Packages.values()) {
            for (String tar : List.of("--ctrl-tarfile", "--fsys-tarfile")) {
                String listing = Command.of("sh", "-c", "dpkg-deb " + tar + " \"$1\" | tar -tv --full-time -f -", "sh",
                        p.deb().toString()).env("TZ", "UTC").run(LIMIT).expect(0).output();
                List<String> lines = listing.lines().filter(l -> !l.isBlank()).toList();
                assertTrue(lines.size() > 3, listing);
                for (String line : lines) {
                    assertTrue(line.contains(" " + fixed + " "), p.deb() + " " + tar + ": " + line);
                }
            }
        }
    }

    /**
     * Path order, as {@code tar --sort=name} writes it: a directory before what it holds, and the names
     * in one directory in byte order. jdeb writes the entries in the order of the pom's dataSet (kept
     * in path order there) and each directory's files sorted.
     */
    @Test
    void theDataTarListsItsEntriesInPathOrder() throws Exception {
        for (Packages p : Packages.values()) {
            List<String> entries = Command.of("sh", "-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -t -f -", "sh",
                    p.deb().toString()).run(LIMIT).expect(0).output().lines().filter(l -> !l.isBlank()).toList();
            assertTrue(entries.size() > 10, entries.toString());
            for (int i = 1; i < entries.size(); i++) {
                assertTrue(PATH_ORDER.compare(entries.get(i - 1), entries.get(i)) < 0,
                        p.deb() + ": '" + entries.get(i - 1) + "' comes before '" + entries.get(i) + "'");
            }
        }
    }

    /**
     * The package phase run again (another Maven, offline, tests skipped) into another directory gives
     * the same bytes: the packaging itself adds nothing that varies, be it a time, an order or a name.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aSecondBuildGivesByteIdenticalPackages() throws Exception {
        assumeTrue(Command.onPath("mvn"), "needs mvn on PATH to build a second time");
        Path again = Packages.workDir("second-build");
        // Main code is not compiled again: the jars stay as the first build made them (this JVM has
        // some open), and a jar of unchanged classes is not rewritten.
        Command.of("mvn", "-o", "-q", "-B", "-DskipTests", "-Dmaven.main.skip=true", "-pl", "deploy", "-am", "package",
                "-Ddeb.outputDir=" + again, "-Dmaven.repo.local=" + System.getProperty("maven.localRepository")).in(Path.of("..").toAbsolutePath().normalize())
                .run(Duration.ofSeconds(200)).expect(0);
        for (Packages p : Packages.values()) {
            Path second = again.resolve(p.deb().getFileName());
            assertEquals(-1L, Files.mismatch(p.deb(), second), p.deb() + " and " + second + " differ");
        }
    }

    /** Paths compared a name at a time, each in byte order ("./usr/" before "./usr/bin/"). */
    private static final Comparator<String> PATH_ORDER = (a, b) -> {
        List<String> x = names(a);
        List<String> y = names(b);
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
            int c = Arrays.compare(x.get(i).getBytes(StandardCharsets.UTF_8), y.get(i).getBytes(StandardCharsets.UTF_8));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.size(), y.size());
    };

    private static List<String> names(String entry) {
        String p = entry.startsWith("./") ? entry.substring(2) : entry;
        return Arrays.stream(p.split("/")).filter(n -> !n.isEmpty()).toList();
    }

    @Test
    void theProjectsOwnJarsInsideHaveTheFixedTime() throws Exception {
        Path root = Packages.sharedRoot();
        TreeSet<String> checked = new TreeSet<>();
        for (Packages p : Packages.values()) {
            try (Stream<Path> files = Files.walk(p.home(root))) {
                for (Path jar : files.filter(ReproducibleDebsIT::builtHere).toList()) {
                    checked.add(jar.getFileName().toString());
                    try (ZipFile zip = new ZipFile(jar.toFile())) {
                        for (ZipEntry e : zip.stream().toList()) {
                            // A zip stores local time without a zone; the archiver writes the fixed time as UTC.
                            assertEquals(LocalDateTime.ofInstant(OUTPUT_TIME, ZoneOffset.UTC), e.getTimeLocal(),
                                    jar + ": " + e.getName());
                        }
                    }
                }
            }
        }
        assertTrue(checked.containsAll(List.of("pi-gateway.jar", "pi-sensor-client.jar")), checked.toString());
        assertTrue(checked.stream().anyMatch(n -> n.startsWith("protocol-")), checked.toString());
    }

    private static boolean builtHere(Path jar) {
        String n = jar.getFileName().toString();
        return n.equals("pi-gateway.jar") || n.equals("pi-sensor-client.jar") || n.startsWith("protocol-")
                || n.startsWith("common-");
    }

    private static String field(byte[] header, int offset, int length) {
        return new String(header, offset, length, StandardCharsets.US_ASCII).trim().replaceAll("/$", "");
    }
}
