package io.pigateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;

class SensorClientMainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path tmp;

    /** The shipped configuration with spool.dir in this test's directory (no /var/lib/pi-sensor-client here). */
    private String shipped() throws Exception {
        String text = Files.readString(Path.of("src/main/dist/sensor-client.conf"));
        return Files.writeString(tmp.resolve("sensor-client.conf"), text + "\nspool.dir = " + tmp.resolve("spool") + "\n")
                .toString();
    }

    private int run(String... args) {
        return SensorClientMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void checkConfigPrintsTheEffectiveConfigurationAndExitsZero() throws Exception {
        String file = shipped();
        int code = run("check-config", "--config", file, "--device-id", "demo-2");
        assertEquals(0, code, err.toString());
        String text = out.toString();
        assertTrue(text.startsWith("# " + file + " is valid; effective configuration"), text);
        assertTrue(text.matches("(?s).*\ndevice\\.id = demo-2 +# command line\n.*"), text);
        assertTrue(text.matches("(?s).*\nreconnect\\.backoff-max = 30s +# default\n.*"), text);
        assertTrue(text.matches("(?s).*\nsensor\\.door\\.flip-probability = 0\\.02 +# line \\d+\n.*"), text);
    }

    @Test
    void checkConfigPrintsTheErrorAndExitsTwo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "device.id = pi-1\ngateway.addresses = gw:4711\nsensor.t.type = toggle\nsend.batch-max-wait = 1\n");
        assertEquals(2, run("check-config", "--config", file.toString()));
        assertEquals("pi-sensor-client: " + file + ": key 'send.batch-max-wait' = '1' is invalid: must be a number with"
                + " a unit: ms, s, m or h (e.g. 250ms, 10s)", err.toString().strip());
        assertEquals("", out.toString());
    }

    @Test
    void missingFileIsAConfigurationError(@TempDir Path dir) {
        assertEquals(2, run("check-config", "--config", dir.resolve("nope.conf").toString()));
        assertTrue(err.toString().contains("nope.conf does not exist"), err.toString());
    }

    @Test
    void anUnusableSpoolDirectoryStopsStartUpWithItsPathAndExitCodeFour(@TempDir Path dir) throws Exception {
        Path spool = dir.resolve("missing-parent/spool");
        Path file = dir.resolve("c.conf");
        Files.writeString(file, "device.id = pi-1\ngateway.addresses = 127.0.0.1:9\nsensor.t.type = toggle\n"
                + "spool.dir = " + spool + "\n");
        assertEquals(4, run("run", "--config", file.toString()));
        assertTrue(err.toString().contains("pi-sensor-client: not started: spool.dir " + spool + " does not exist"),
                err.toString());
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertEquals(2, run("run", "--colour"));
        assertTrue(err.toString().contains("Unknown option: '--colour'"), err.toString());
    }

    @Test
    void logLevelIsAnOptionOfRunOnlyWhereItDoesSomething(@TempDir Path dir) throws Exception {
        assertEquals(2, run("check-config", "--log-level", "warn", "--config", shipped()));
        assertTrue(err.toString().contains("Unknown options: '--log-level'"), err.toString());
        assertEquals(2, run("--log-level", "warn", "check-config", "--config", shipped()));
        assertEquals(2, run("run", "--log-level", "loud", "--config", dir.resolve("none.conf").toString()));
        assertTrue(err.toString().contains("Invalid value for option '--log-level'"), err.toString());
    }

    @Test
    void theConfigurationFileHasAShortOptionAsOnTheGateway() throws Exception {
        assertEquals(0, run("check-config", "-c", shipped()), err.toString());
    }

    @Test
    void helpIsASubcommandAndTheUsageNamesTheInstalledCommand() {
        assertEquals(0, run("help", "run"));
        assertTrue(out.toString().startsWith("Usage: pi-sensor-client run "), out.toString());
    }

    @Test
    void theHelpBreaksLinesBetweenWordsOnly() {
        CommandLine cli = new CommandLine(new SensorClientMain());
        for (CommandLine c : List.of(cli, cli.getSubcommands().get("run"), cli.getSubcommands().get("check-config"))) {
            String flat = c.getUsageMessage().replaceAll("\\s+", " ");
            for (var option : c.getCommandSpec().options()) {
                for (String line : option.description()) {
                    String expanded = line.replace("${DEFAULT-VALUE}", String.valueOf(option.defaultValue()));
                    assertTrue(flat.contains(expanded.replaceAll("\\s+", " ")), c.getCommandName() + ": " + expanded
                            + " is broken in\n" + c.getUsageMessage());
                }
            }
        }
    }

    @Test
    void checkConfigFindsASpoolDirectoryThatRunCouldNotMake(@TempDir Path dir) throws Exception {
        Path spool = dir.resolve("missing-parent/spool");
        Path file = Files.writeString(dir.resolve("c.conf"), "device.id = pi-1\ngateway.addresses = 127.0.0.1:9\n"
                + "sensor.t.type = toggle\nspool.dir = " + spool + "\n");
        assertEquals(2, run("check-config", "--config", file.toString()));
        assertEquals("pi-sensor-client: " + file + ": key 'spool.dir' = '" + spool + "' is invalid: it does not exist,"
                + " and neither does its parent " + spool.getParent() + "; create it, writable for the user the client"
                + " runs as", err.toString().strip());
    }

    @Test
    void checkConfigFindsASpoolDirectoryThatIsNotWritable(@TempDir Path dir) throws Exception {
        Path spool = Files.createDirectory(dir.resolve("spool"));
        Files.setPosixFilePermissions(spool, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(spool), "running as root: every directory is writable");
        Path file = Files.writeString(dir.resolve("c.conf"), "device.id = pi-1\ngateway.addresses = 127.0.0.1:9\n"
                + "sensor.t.type = toggle\nspool.dir = " + spool + "\n");
        assertEquals(2, run("check-config", "--config", file.toString()));
        assertTrue(err.toString().contains("key 'spool.dir' = '" + spool + "' is invalid: " + spool + " is not writable"
                + " for its owner"), err.toString());
    }

    /** What run would stop at before Pi4J: here no /dev/gpiochip* (a PC, a container), so a GPIO sensor cannot start. */
    @Test
    void checkConfigFindsAGpioSensorOnAMachineWithoutGpioChips(@TempDir Path dir) throws Exception {
        try (var chips = Files.newDirectoryStream(Path.of("/dev"), "gpiochip*")) {
            org.junit.jupiter.api.Assumptions.assumeFalse(chips.iterator().hasNext(), "this machine has GPIO chips");
        }
        Path file = Files.writeString(dir.resolve("c.conf"), "device.id = pi-1\ngateway.addresses = 127.0.0.1:9\n"
                + "sensor.door.type = gpio-input\nsensor.door.pin = 17\nsensor.door.pull = up\nspool.dir = "
                + dir.resolve("spool") + "\n");
        assertEquals(2, run("check-config", "--config", file.toString()));
        assertEquals("pi-sensor-client: " + file + ": the sensors cannot start here, as run would find: no /dev/gpiochip*"
                + " exists, so GPIO inputs cannot be opened: gpio-input sensors need a Raspberry Pi whose kernel provides"
                + " the GPIO character device (Raspberry Pi OS does)", err.toString().strip());
    }

    @Test
    void versionIsTheBuildsVersionNotAPlaceholder() {
        assertEquals(0, run("--version"));
        // Outside a jar there is no manifest: the tests of the packaged jar (LauncherIT) check the number.
        assertTrue(out.toString().startsWith("pi-sensor-client "), out.toString());
    }
}
