package io.pigateway.deploy;

import io.pigateway.testing.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The two packages this module builds (paths handed over by the pom), and scratch roots they are
 * unpacked into with {@code dpkg-deb -x}, as if installed, but under target/.
 */
enum Packages {
    GATEWAY("pi-gateway", "gateway.service", "gateway.conf", "gateway.lib"),
    SENSOR_CLIENT("pi-sensor-client", "sensor-client.service", "sensor-client.conf", "client.lib");

    static final String VERSION = property("deb.version");
    static final Path TARGET = Path.of(property("deb.dir"));
    static final Path UNITS = Path.of(property("systemd.units"));

    final String name;
    final String unit;
    final String config;
    private final String libProperty;

    Packages(String name, String unit, String config, String libProperty) {
        this.name = name;
        this.unit = unit;
        this.config = config;
        this.libProperty = libProperty;
    }

    /** The .deb file, e.g. target/pi-gateway_0.1.0~SNAPSHOT_all.deb. */
    Path deb() {
        return TARGET.resolve(name + "_" + VERSION + "_all.deb");
    }

    /** The module's target/lib the package's lib/ was made from. */
    Path moduleLib() {
        return Path.of(property(libProperty));
    }

    /** Paths inside a root where this package is unpacked. */
    Path launcher(Path root) {
        return root.resolve("usr/bin/" + name);
    }

    Path home(Path root) {
        return root.resolve("usr/share/" + name);
    }

    Path packagedConfig(Path root) {
        return root.resolve("etc/pi-gateway/" + config);
    }

    Path packagedUnit(Path root) {
        return root.resolve("lib/systemd/system/" + unit);
    }

    private static Path sharedRoot;

    /** Both packages unpacked into target/scratch-root, once per test JVM; tests must not change it. */
    static synchronized Path sharedRoot() throws IOException, InterruptedException {
        if (sharedRoot == null) {
            sharedRoot = unpackBoth(TARGET.resolve("scratch-root"));
        }
        return sharedRoot;
    }

    /** Both packages unpacked into {@code root}, which is emptied first. */
    static Path unpackBoth(Path root) throws IOException, InterruptedException {
        FileTrees.delete(root);
        Files.createDirectories(root);
        for (Packages p : values()) {
            Command.of("dpkg-deb", "-x", p.deb().toString(), root.toString()).run(Duration.ofSeconds(30)).expect(0);
        }
        return root;
    }

    /** A fresh, empty working directory target/it-work/{@code name}. */
    static Path workDir(String name) throws IOException {
        Path dir = TARGET.resolve("it-work").resolve(name).toAbsolutePath();
        FileTrees.delete(dir);
        return Files.createDirectories(dir);
    }

    private static String property(String key) {
        String v = System.getProperty(key);
        if (v == null) {
            throw new IllegalStateException("system property " + key + " is not set: run the tests through Maven (failsafe)");
        }
        return v;
    }
}
