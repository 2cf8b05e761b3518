package io.pigateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packages' maintainer scripts, run as dpkg runs them. They administer the machine (users,
 * groups, enabled units, /var/lib), so run for real they would change the host running the tests:
 * here every command they call is a stub that only records its arguments, and PATH holds nothing else.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MaintainerScriptsIT {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final List<String> COMMANDS = List.of("adduser", "addgroup", "getent", "stat", "install",
            "deb-systemd-helper", "deb-systemd-invoke", "systemctl", "rm", "rmdir");

    @Test
    void gatewayPostinstCreatesTheUserAndEnablesTheUnitWithoutStartingIt() throws Exception {
        List<String> calls = run(Packages.GATEWAY, "postinst", "", "configure");
        assertTrue(calls.contains("adduser --system --group --quiet --home /var/lib/pi-gateway --no-create-home"
                + " --comment pi-gateway service pi-gateway"), calls.toString());
        assertTrue(calls.contains("deb-systemd-helper enable gateway.service"), calls.toString());
        assertNothingStarted(calls);
    }

    @Test
    void sensorClientPostinstAddsTheUserToTheHardwareGroupsCreatingOnlyTheMissingOne() throws Exception {
        List<String> calls = run(Packages.SENSOR_CLIENT, "postinst", "gpio", "configure");
        assertTrue(calls.contains("adduser --system --group --quiet --home /var/lib/pi-sensor-client --no-create-home"
                + " --comment pi-gateway sensor client pi-sensor-client"), calls.toString());
        assertEquals(List.of("addgroup --system --quiet i2c"), calls.stream().filter(c -> c.startsWith("addgroup")).toList(),
                "the group that exists is kept");
        assertTrue(calls.contains("adduser --quiet pi-sensor-client gpio"), calls.toString());
        assertTrue(calls.contains("adduser --quiet pi-sensor-client i2c"), calls.toString());
        assertTrue(calls.contains("deb-systemd-helper enable sensor-client.service"), calls.toString());
        assertNothingStarted(calls);
    }

    /**
     * Plain Debian or Ubuntu on a Pi: no group gpio or i2c, which the unit's SupplementaryGroups= names
     * (systemd would refuse to start it); the GPIO chip belongs to dialout, the I2C bus to root.
     */
    @Test
    void sensorClientPostinstOnASystemWithoutTheGroupsCreatesThemAndJoinsTheDevicesGroup() throws Exception {
        List<String> calls = run(Packages.SENSOR_CLIENT, "postinst", "", Map.of("gpiochip0", "dialout",
                "gpiochip1", "dialout", "i2c-1", "root"), "configure");
        int gpio = calls.indexOf("addgroup --system --quiet gpio");
        int i2c = calls.indexOf("addgroup --system --quiet i2c");
        assertTrue(gpio >= 0 && i2c >= 0, "both groups created: " + calls);
        assertTrue(calls.indexOf("adduser --quiet pi-sensor-client gpio") > gpio, calls.toString());
        assertTrue(calls.indexOf("adduser --quiet pi-sensor-client i2c") > i2c, calls.toString());
        assertTrue(calls.contains("adduser --quiet pi-sensor-client dialout"), "the GPIO chip's group: " + calls);
        assertTrue(calls.stream().noneMatch(c -> c.endsWith(" root")), "never the group root: " + calls);
        assertNothingStarted(calls);
    }

    @Test
    void theClientUnitNamesOnlyTheGroupsThePostinstMakesSureExist() throws Exception {
        String unit = Files.readString(Packages.UNITS.resolve(Packages.SENSOR_CLIENT.unit));
        List<String> groups = unit.lines().filter(l -> l.startsWith("SupplementaryGroups="))
                .flatMap(l -> Arrays.stream(l.substring("SupplementaryGroups=".length()).trim().split("\\s+")))
                .toList();
        List<String> calls = run(Packages.SENSOR_CLIENT, "postinst", "", "configure");
        for (String group : groups) {
            assertTrue(calls.contains("addgroup --system --quiet " + group), group + " created where missing: " + calls);
        }
    }

    @Test
    void removingKeepsTheStateAndPurgingDeletesIt() throws Exception {
        for (Packages p : Packages.values()) {
            String state = "/var/lib/" + p.name;
            List<String> removed = run(p, "postrm", "", "remove");
            assertTrue(removed.stream().noneMatch(c -> c.startsWith("rm ")), removed.toString());

            List<String> purged = run(p, "postrm", "", "purge");
            assertTrue(purged.contains("rm -rf " + state), purged.toString());
            assertTrue(purged.contains("deb-systemd-helper purge " + p.unit), purged.toString());
            String secret = p == Packages.GATEWAY
                    ? "rm -f /etc/pi-gateway/db-password /etc/pi-gateway/migrate-password /etc/pi-gateway/grafana-db-password"
                    : "rm -f /etc/pi-gateway/device-secret";
            assertTrue(purged.contains(secret), "the secret the README has the operator write there: " + purged);
            assertTrue(purged.stream().noneMatch(c -> c.startsWith("rm ") && c.contains("/etc/pi-gateway/")
                    && !c.equals(secret)), "no other configuration: " + purged);
            assertTrue(purged.indexOf(secret) < purged.indexOf("rmdir --ignore-fail-on-non-empty /etc/pi-gateway"),
                    "the directory goes once empty: " + purged);
        }
    }

    private static void assertNothingStarted(List<String> calls) {
        assertTrue(calls.stream().noneMatch(c -> c.matches("(systemctl|deb-systemd-invoke) .*\\bstart\\b.*")
                || c.contains("enable --now")), "must not start the service: " + calls);
    }

    /** Runs {@code script args...} from the package with stubs; returns the commands it called, in order. */
    private static List<String> run(Packages p, String script, String existingGroups, String... args) throws Exception {
        return run(p, script, existingGroups, Map.of(), args);
    }

    /**
     * As {@link #run(Packages, String, String, String...)} on a machine whose {@code /dev} holds
     * {@code devices} (name to owning group), under the scratch root dpkg passes as DPKG_ROOT.
     */
    private static List<String> run(Packages p, String script, String existingGroups, Map<String, String> devices,
                                    String... args) throws Exception {
        Path work = Packages.workDir("scripts-" + p.name + "-" + script + "-" + args[0]);
        Path control = work.resolve("DEBIAN");
        Command.of("dpkg-deb", "--control", p.deb().toString(), control.toString()).run(LIMIT).expect(0);
        Path stubs = Files.createDirectories(work.resolve("stubs"));
        Path log = work.resolve("calls.log");
        Files.createFile(log);
        Path root = Files.createDirectories(work.resolve("root"));
        Path dev = Files.createDirectories(root.resolve("dev"));
        Path owners = Files.createDirectories(work.resolve("owners"));
        for (Map.Entry<String, String> d : devices.entrySet()) {
            Files.createFile(dev.resolve(d.getKey()));
            Files.writeString(owners.resolve(d.getKey()), d.getValue() + "\n");
        }
        for (String command : COMMANDS) {
            // getent answers for the groups that exist; stat -c %G for the devices' groups;
            // deb-systemd-helper says "was enabled", as on a first install.
            String answer = switch (command) {
                case "getent" -> "case \" $EXISTING_GROUPS \" in *\" $2 \"*) exit 0 ;; esac\nexit 2\n";
                case "stat" -> "exec < \"$OWNERS/${3##*/}\"\nwhile read -r g; do echo \"$g\"; done\n";
                default -> "exit 0\n";
            };
            Path stub = stubs.resolve(command);
            Files.writeString(stub, "#!/bin/sh\necho \"${0##*/} $*\" >> \"$CALLS\"\n" + answer);
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        List<String> command = new java.util.ArrayList<>(List.of("/bin/sh", "-e", control.resolve(script).toString()));
        command.addAll(List.of(args));
        Command.of(command).cleanEnv()
                .env("PATH", stubs.toString())
                .env("CALLS", log.toString())
                .env("EXISTING_GROUPS", existingGroups)
                .env("DPKG_ROOT", root.toString())
                .env("OWNERS", owners.toString())
                .run(LIMIT).expect(0);
        return Files.readAllLines(log).stream().filter(c -> !c.startsWith("getent ") && !c.startsWith("stat ")).toList();
    }
}
