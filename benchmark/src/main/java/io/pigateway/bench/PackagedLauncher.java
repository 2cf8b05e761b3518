package io.pigateway.bench;

import io.pigateway.testing.GatewayProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged launcher ({@code deploy/src/bin/launcher}, installed as {@code /usr/bin/pi-gateway} and
 * {@code /usr/bin/pi-sensor-client}) in the layout the package installs:
 * {@code <prefix>/bin/<name>} and {@code <prefix>/share/<name>/<name>.jar} with its {@code lib/}. The
 * benchmark starts programs through it, so they run with exactly the JVM options the package runs
 * them with; the launcher execs java, so the process started is the JVM whose PID is measured.
 */
final class PackagedLauncher {
    private final Path launcher;
    private final Path bin;
    private final String name;
    private final List<String> defaultOptions;

    private PackagedLauncher(Path launcher, Path bin, String name, List<String> defaultOptions) {
        this.launcher = launcher;
        this.bin = bin;
        this.name = name;
        this.defaultOptions = defaultOptions;
    }

    /**
     * Installs {@code launcher} as {@code prefix/bin/name} and links {@code jar} (and the {@code lib/}
     * beside it) under {@code prefix/share/name/}.
     */
    static PackagedLauncher install(Path launcher, Path prefix, String name, Path jar) throws IOException {
        Path bin = prefix.resolve("bin").resolve(name);
        Path share = prefix.resolve("share").resolve(name);
        Files.createDirectories(bin.getParent());
        Files.createDirectories(share);
        // A copy, not a link: the launcher resolves its own real path and takes its name from it.
        Files.copy(launcher, bin, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        link(share.resolve(name + ".jar"), jar.toAbsolutePath());
        Path lib = jar.toAbsolutePath().resolveSibling("lib");
        if (Files.isDirectory(lib)) {
            link(share.resolve("lib"), lib);
        }
        return new PackagedLauncher(launcher, bin, name, defaultOptions(launcher, name));
    }

    private static void link(Path link, Path target) throws IOException {
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target);
    }

    /**
     * The {@code default_opts} of {@code name}'s case in the launcher script: read from the script
     * itself, so the benchmark cannot drift from what the package runs.
     */
    static List<String> defaultOptions(Path launcher, String name) throws IOException {
        String script = Files.readString(launcher);
        Matcher m = Pattern.compile("(?ms)^" + Pattern.quote(name) + "\\)\\s*$.*?^\\s*default_opts='([^']*)'").matcher(script);
        if (!m.find()) {
            throw new IOException(launcher + ": no default_opts='...' in the case for " + name);
        }
        return List.of(m.group(1).trim().split("\\s+"));
    }

    List<String> defaultOptions() {
        return defaultOptions;
    }

    /** The launcher's own environment variable that replaces its JVM options, e.g. PI_GATEWAY_JAVA_OPTS. */
    private String optionsVariable() {
        return name.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_JAVA_OPTS";
    }

    /**
     * The environment for the launcher: JAVA_HOME of the JVM running the benchmark (so it picks the same
     * Java), and only if {@code extraOptions} is not empty the launcher's defaults plus those.
     */
    Map<String, String> environment(List<String> extraOptions) {
        Map<String, String> env = new java.util.HashMap<>();
        ProcessHandle.current().info().command()
                .ifPresent(java -> env.put("JAVA_HOME", Path.of(java).getParent().getParent().toString()));
        if (!extraOptions.isEmpty()) {
            List<String> all = new ArrayList<>(defaultOptions);
            all.addAll(extraOptions);
            env.put(optionsVariable(), String.join(" ", all));
        }
        return env;
    }

    /** The gateway through this launcher: {@code <prefix>/bin/pi-gateway run --config <config>}. */
    GatewayProcess startGateway(Path config, String label, List<String> extraOptions, boolean echo) throws Exception {
        return GatewayProcess.start(Path.of("unused"), config, echo ? label : null, environment(extraOptions),
                command -> List.of(bin.toString(), "run", "--config", config.toString()));
    }

    /** A process through this launcher with {@code args}, output merged. */
    Process start(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(bin.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(environment(List.of()));
        return pb.start();
    }

    @Override
    public String toString() {
        return launcher + " as " + bin + " (JVM options " + String.join(" ", defaultOptions) + ")";
    }

    static List<String> split(String options) {
        return options.isBlank() ? List.of() : Arrays.asList(options.trim().split("\\s+"));
    }
}
