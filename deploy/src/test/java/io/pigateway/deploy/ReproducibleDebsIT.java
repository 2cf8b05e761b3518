package io.pigateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One commit builds byte-identical packages: nothing in them carries the time of the build. Every
 * member of the .deb (an ar archive), every entry of its control and data tars, and every entry of
 * the project's own jars inside has the time {@code project.build.outputTimestamp}. (Two clean builds
 * of one commit, compared by checksum, are the end-to-end check; this test finds a time that leaks
 * in without building twice.)
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
