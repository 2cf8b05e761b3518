package io.pigateway.client;

import io.pigateway.client.cli.CheckConfigCommand;
import io.pigateway.client.cli.RunCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code pi-sensor-client run}, {@code pi-sensor-client check-config} and {@code pi-sensor-client help}: the
 * same options, in the same places, as {@code pi-gateway}.
 * Exit codes: 0 done (also after SIGTERM), 2 bad command line or configuration, 3 a configured sensor could
 * not be opened (the message says which device and why; the client never falls back to a simulation),
 * 4 the spool directory cannot be used (the message names the path and the OS error).
 */
@Command(name = SensorClientMain.NAME, mixinStandardHelpOptions = true, versionProvider = SensorClientMain.Version.class,
        usageHelpAutoWidth = true,
        description = "Samples sensors on a field Pi and streams the readings to a pi-gateway until they are acknowledged.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, CommandLine.HelpCommand.class})
public final class SensorClientMain {
    /** The installed command: the usage's name and the prefix of what this program prints on stderr. */
    public static final String NAME = "pi-sensor-client";

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs a command line and returns its exit code; for tests, with their own writers. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new SensorClientMain());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SensorClientMain.class.getPackage().getImplementationVersion();
            return new String[] {NAME + " " + (v == null ? "(not built as a jar: no version)" : v)};
        }
    }
}
