package io.pigateway.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
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
    private static final List<String> COMMANDS = List.of("adduser", "getent", "install", "deb-systemd-helper",
            "deb-systemd-invoke", "systemctl", "rm", "rmdir");

    @Test
    void gatewayPostinstCreatesTheUserAndEnablesTheUnitWithoutStartingIt() throws Exception {
        List<String> calls = run(Packages.GATEWAY, "postinst", "", "configure");
        assertTrue(calls.contains("adduser --system --group --quiet --home /var/lib/pi-gateway --no-create-home"
                + " --comment pi-gateway service pi-gateway"), calls.toString());
        assertTrue(calls.contains("deb-systemd-helper enable gateway.service"), calls.toString());
        assertNothingStarted(calls);
    }

    @Test
    void sensorClientPostinstAddsTheUserToTheHardwareGroupsThatExist() throws Exception {
        List<String> calls = run(Packages.SENSOR_CLIENT, "postinst", "gpio", "configure");
        assertTrue(calls.contains("adduser --system --group --quiet --home /var/lib/pi-sensor-client --no-create-home"
                + " --comment pi-gateway sensor client pi-sensor-client"), calls.toString());
        assertTrue(calls.contains("adduser --quiet pi-sensor-client gpio"), calls.toString());
        assertTrue(calls.stream().noneMatch(c -> c.startsWith("adduser") && c.endsWith(" i2c")), "no group i2c here: " + calls);
        assertTrue(calls.contains("deb-systemd-helper enable sensor-client.service"), calls.toString());
        assertNothingStarted(calls);
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
            assertTrue(purged.stream().noneMatch(c -> c.startsWith("rm ") && c.contains("/etc/pi-gateway/")
                    && !c.equals("rm -f /etc/pi-gateway/db-password")), "no configuration but the password: " + purged);
        }
    }

    private static void assertNothingStarted(List<String> calls) {
        assertTrue(calls.stream().noneMatch(c -> c.matches("(systemctl|deb-systemd-invoke) .*\\bstart\\b.*")
                || c.contains("enable --now")), "must not start the service: " + calls);
    }

    /** Runs {@code script args...} from the package with stubs; returns the commands it called, in order. */
    private static List<String> run(Packages p, String script, String existingGroups, String... args) throws Exception {
        Path work = Packages.workDir("scripts-" + p.name + "-" + script + "-" + args[0]);
        Path control = work.resolve("DEBIAN");
        Command.of("dpkg-deb", "--control", p.deb().toString(), control.toString()).run(LIMIT).expect(0);
        Path stubs = Files.createDirectories(work.resolve("stubs"));
        Path log = work.resolve("calls.log");
        Files.createFile(log);
        for (String command : COMMANDS) {
            // getent answers for the groups that exist; deb-systemd-helper says "was enabled", as on a first install.
            String answer = command.equals("getent")
                    ? "case \" $EXISTING_GROUPS \" in *\" $2 \"*) exit 0 ;; esac\nexit 2\n"
                    : "exit 0\n";
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
                .run(LIMIT).expect(0);
        return Files.readAllLines(log).stream().filter(c -> !c.startsWith("getent ")).toList();
    }
}
