package io.pigateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packaged units checked by systemd's own analyser, as installed: in a root where both packages
 * are unpacked, so the ExecStart= launchers exist there, with this host's standard units copied in
 * (targets such as network-online.target) and MANPATH pointing at the packaged man pages, which
 * verify looks up for Documentation=man:... (systemd 252: {@code verify --root} resolves units and
 * commands inside the root, but runs man on the host).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SystemdUnitsIT {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Path HOST_UNITS = Path.of("/lib/systemd/system");
    /**
     * {@code systemd-analyze security --threshold} in tenths of the printed exposure (0.0 = locked
     * down, 10 = unprotected): each unit's score plus a small margin, so that loosening the sandbox fails.
     * Scores with systemd 252: gateway 1.2, sensor client 1.6 (it keeps its devices and groups).
     */
    private static final Map<Packages, Integer> EXPOSURE_THRESHOLD = Map.of(Packages.GATEWAY, 15, Packages.SENSOR_CLIENT, 19);

    private static Path root;

    @BeforeAll
    static void unpackWithTheHostsUnits() throws Exception {
        assumeTrue(Command.onPath("systemd-analyze"), "systemd-analyze is not installed: the unit checks are skipped");
        assumeTrue(Files.isDirectory(HOST_UNITS), HOST_UNITS + " is missing: no standard units to verify against");
        root = Packages.unpackBoth(Packages.TARGET.resolve("systemd-root"));
        Path units = root.resolve("lib/systemd/system");
        try (Stream<Path> s = Files.list(HOST_UNITS)) {
            for (Path unit : (Iterable<Path>) s::iterator) {
                Path copy = units.resolve(unit.getFileName().toString());
                if (!Files.exists(copy, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(unit, copy, StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
        // gateway.service's ExecReload= runs /bin/kill (procps), which verify wants to find in the root.
        Path kill = Path.of("/bin/kill");
        assumeTrue(Files.isExecutable(kill), kill + " is missing (procps): the unit checks are skipped");
        Files.createDirectories(root.resolve("bin"));
        Files.copy(kill, root.resolve("bin/kill"), StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
    }

    @ParameterizedTest
    @EnumSource(Packages.class)
    void verifyFindsNothingToWarnAbout(Packages p) throws Exception {
        Command.Result r = Command.of("systemd-analyze", "verify", "--root=" + root, "/lib/systemd/system/" + p.unit)
                .env("MANPATH", root.resolve("usr/share/man").toString())
                .run(LIMIT);
        assertEquals(0, r.exit(), r.output());
        assertEquals("", r.output(), "systemd-analyze verify printed warnings");
    }

    @ParameterizedTest
    @EnumSource(Packages.class)
    void verifyWouldNoticeAMissingLauncher(Packages p) throws Exception {
        Path launcher = p.launcher(root);
        Path aside = launcher.resolveSibling(p.name + ".aside");
        Files.move(launcher, aside);
        try {
            Command.Result r = Command.of("systemd-analyze", "verify", "--root=" + root, "/lib/systemd/system/" + p.unit)
                    .env("MANPATH", root.resolve("usr/share/man").toString())
                    .run(LIMIT);
            assertTrue(r.output().contains("/usr/bin/" + p.name + " is not executable"), r.output());
        } finally {
            Files.move(aside, launcher);
        }
    }

    @ParameterizedTest
    @EnumSource(Packages.class)
    void exposureStaysWithinItsThreshold(Packages p) throws Exception {
        int threshold = EXPOSURE_THRESHOLD.get(p);
        Command.Result r = Command.of("systemd-analyze", "security", "--offline=yes", "--no-pager",
                "--threshold=" + threshold, p.packagedUnit(root).toString()).run(LIMIT);
        Matcher m = Pattern.compile("Overall exposure level for " + Pattern.quote(p.unit) + ": (\\d+\\.\\d)").matcher(r.output());
        assertTrue(m.find(), r.output());
        System.out.println(p.unit + ": exposure " + m.group(1) + " (threshold " + threshold / 10.0 + ")");
        assertEquals(0, r.exit(), p.unit + " exposure " + m.group(1) + " is above " + threshold / 10.0 + ":\n" + r.output());
    }

    /** The JIT compiler needs memory that is writable and executable: with this set the JVM does not start. */
    @ParameterizedTest
    @EnumSource(Packages.class)
    void startsWithoutWaitingForTheClockToBeSynchronised(Packages p) throws Exception {
        // Waiting for time-sync.target (with systemd-time-wait-sync) never ends on a Pi without RTC
        // whose NTP server cannot be reached: nothing would be sampled or stored for the whole outage.
        String unit = Files.readString(p.packagedUnit(root));
        assertFalse(unit.lines().map(String::trim).filter(l -> !l.startsWith("#"))
                .anyMatch(l -> l.contains("time-sync.target") || l.contains("time-wait-sync")), p.unit + ":\n" + unit);
    }

    @ParameterizedTest
    @EnumSource(Packages.class)
    void leavesWriteExecuteMemoryToTheJit(Packages p) throws Exception {
        String unit = Files.readString(p.packagedUnit(root));
        assertFalse(unit.lines().anyMatch(l -> l.trim().startsWith("MemoryDenyWriteExecute=")), p.unit);
    }
}
