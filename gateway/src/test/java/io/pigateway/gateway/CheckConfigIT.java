package io.pigateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code gateway check-config} as an operator runs it, with the environment overriding the file. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CheckConfigIT {

    record Result(int exit, String output) { }

    static Result checkConfig(Path config, Map<String, String> env) throws Exception {
        return gateway(env, "check-config", "--config", config.toString());
    }

    /** check-config of a file that sets a port and open auth, with the environment variable {@code name} set. */
    static Result checkConfigWithVariable(Path dir, String name, String value) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "listen.port = 4711\nauth.mode = open\n");
        return checkConfig(config, Map.of(name, value));
    }

    /** Exit code 2, and {@code text} in the output. */
    static void assertRefusedNaming(Result r, String text) {
        assertEquals(2, r.exit(), r.output());
        assertTrue(r.output().contains(text), r.output());
    }

    /** The gateway's jar run with {@code args}, stdout and stderr together. */
    static Result gateway(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", GatewayProcessIT.JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PIGW_GATEWAY_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "check-config did not finish");
        return new Result(p.exitValue(), out);
    }

    @Test
    void anEnvironmentVariableOverridesTheFileAndIsReported(@TempDir Path dir) throws Exception {
        Result r = checkConfigWithVariable(dir, "PIGW_GATEWAY_LISTEN_PORT", "5123");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().matches("(?s).*\nlisten\\.port = 5123 +# environment variable PIGW_GATEWAY_LISTEN_PORT\n.*"),
                r.output());
    }

    @Test
    void aBadValueInTheEnvironmentExitsWithCode2NamingTheVariable(@TempDir Path dir) throws Exception {
        Result r = checkConfigWithVariable(dir, "PIGW_GATEWAY_WRITER_THREADS", "lots");
        assertRefusedNaming(r, "environment variable PIGW_GATEWAY_WRITER_THREADS (overrides key 'writer.threads'");
    }

    @Test
    void aMisspeltVariableIsAnErrorNotSilence(@TempDir Path dir) throws Exception {
        Result r = checkConfigWithVariable(dir, "PIGW_GATEWAY_LISTEN_PROT", "5123");
        assertRefusedNaming(r, "PIGW_GATEWAY_LISTEN_PROT names no configuration key");
    }

    @Test
    void aMissingFileExitsWithCode2NamingThePath(@TempDir Path dir) throws Exception {
        Result r = checkConfig(dir.resolve("nope.conf"), Map.of());
        assertRefusedNaming(r, dir.resolve("nope.conf") + " does not exist");
    }

    @Test
    void theEffectiveConfigurationIsKeyEqualsValueWithWhereEachCameFromAndNoRecordDumps(@TempDir Path dir)
            throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "# test\nauth.mode = open\nlisten.port = 4712\n"
                + "store.embedded-path = " + dir.resolve("store") + "\n");
        Result r = checkConfig(config, Map.of());
        assertEquals(0, r.exit(), r.output());
        String out = r.output();
        assertTrue(out.startsWith("# " + config + " is valid; effective configuration"), out);
        assertTrue(out.matches("(?s).*\nlisten\\.port = 4712 +# line 3\n.*"), out);
        assertTrue(out.matches("(?s).*\nstore\\.embedded-path = " + java.util.regex.Pattern.quote(dir.resolve("store")
                .toString()) + " +# line 4\n.*"), out);
        assertTrue(out.matches("(?s).*\nwriter\\.threads = 2 +# default\n.*"), out);
        for (String line : out.strip().split("\n")) {
            assertTrue(line.startsWith("#") || line.matches("[a-z0-9.-]+ = .* +# .*"), "not key = value # origin: " + line);
        }
        assertTrue(!out.contains("Config["), out);
    }

    @Test
    void aPasswordIsShownAsItsFileOnly(@TempDir Path dir) throws Exception {
        Path pw = Files.writeString(dir.resolve("pw"), "hunter2-very-secret\n");
        java.nio.file.Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path config = Files.writeString(dir.resolve("gateway.conf"), "auth.mode = open\nstore.type = mysql\n"
                + "store.host = 127.0.0.1\nstore.user = gw\nstore.password-file = " + pw + "\n");
        Result r = checkConfig(config, Map.of());
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("store.password-file = " + pw), r.output());
        assertTrue(!r.output().contains("hunter2"), r.output());
    }

    @Test
    void anEmptyValueABareKeyAndADuplicateAreRefusedNamingTheLines(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.conf"), "auth.mode = open\nlisten.port =\n");
        Result r = checkConfig(empty, Map.of());
        assertRefusedNaming(r, empty + ": line 2: key 'listen.port' = '' is invalid: the value is empty");

        Path bare = Files.writeString(dir.resolve("bare.conf"), "auth.mode = open\nlisten.port\n");
        r = checkConfig(bare, Map.of());
        assertRefusedNaming(r, bare + ": line 2 'listen.port' has no '='");

        Path twice = Files.writeString(dir.resolve("twice.conf"), "listen.port = 1\nauth.mode = open\nlisten.port = 2\n");
        r = checkConfig(twice, Map.of());
        assertRefusedNaming(r, twice + ": key 'listen.port' is set twice, on line 1 and line 3");
    }

    @Test
    void httpEnabledYesIsRefused(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "auth.mode = open\nhttp.enabled = yes\n");
        Result r = checkConfig(config, Map.of());
        assertRefusedNaming(r, "key 'http.enabled' = 'yes' is invalid: must be true or false");
    }

    @Test
    void theCommandLineMatchesTheSensorClients(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.conf"), "auth.mode = open\n");
        Result shortOption = gateway(Map.of(), "check-config", "-c", config.toString());
        assertEquals(0, shortOption.exit(), shortOption.output());
        Result help = gateway(Map.of(), "help", "run");
        assertEquals(0, help.exit(), help.output());
        assertTrue(help.output().startsWith("Usage: pi-gateway run [-hV] [-c=FILE] [--log-level=LEVEL]"), help.output());
        assertTrue(help.output().contains("(default: /etc/pi-gateway/gateway.conf)"), help.output());
        Result noLevel = gateway(Map.of(), "check-config", "--log-level", "warn", "-c", config.toString());
        assertEquals(2, noLevel.exit(), noLevel.output());
        Result version = gateway(Map.of(), "--version");
        assertEquals(0, version.exit(), version.output());
        java.util.Properties built = new java.util.Properties();
        try (var in = Files.newInputStream(Path.of("target/maven-archiver/pom.properties"))) {
            built.load(in); // the version the jar was built as
        }
        assertEquals("pi-gateway " + built.getProperty("version"), version.output().strip());
    }

    @Test
    void anEmbeddedStoreWhoseDirectoryCannotBeMadeIsRefusedAndMissingDirectoriesAreFine(@TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory\n");
        Path config = Files.writeString(dir.resolve("gateway.conf"), "auth.mode = open\nstore.embedded-path = "
                + file.resolve("data/store") + "\n");
        Result r = checkConfig(config, Map.of());
        assertRefusedNaming(r, "key 'store.embedded-path' = '" + file.resolve("data/store") + "' is invalid: its"
                + " directory " + file.resolve("data") + " cannot be created: " + file + " is not a directory");

        // run makes missing directories (H2 does): check-config accepts them, and creates nothing.
        Files.writeString(config, "auth.mode = open\nstore.embedded-path = " + dir.resolve("new/sub/store") + "\n");
        Result fine = checkConfig(config, Map.of());
        assertEquals(0, fine.exit(), fine.output());
        assertTrue(!Files.exists(dir.resolve("new")), "check-config creates nothing");
    }

    /**
     * A store directory its owner cannot write is an error (run would fail there); one that belongs to
     * another user (the service's, when an operator checks by hand) only a warning naming that user.
     * Run as root, the check runs as user nobody (root may write anywhere).
     */
    @Test
    void anEmbeddedStoreDirectoryItsOwnerCannotWriteIsRefusedAnotherUsersIsAWarning(@TempDir Path dir) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> asUser = List.of();
        if (root) {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "as root this needs setpriv to check as nobody");
            asUser = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path own = Files.createDirectories(dir.resolve("own"));
        Path others = Files.createDirectories(dir.resolve("others"));
        if (root) {
            Files.setOwner(own, own.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        }
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("r-xr-xr-x"));
        Path config = Files.writeString(dir.resolve("gateway.conf"), "auth.mode = open\nstore.embedded-path = "
                + own.resolve("store") + "\n");
        Result refused = run(asUser, "check-config", "--config", config.toString());
        assertEquals(2, refused.exit(), refused.output());
        assertTrue(refused.output().contains("key 'store.embedded-path' = '" + own.resolve("store") + "' is invalid: " + own
                + " is not writable for its owner"), refused.output());

        if (root) { // as nobody, a directory of root's that nobody may not write
            Files.writeString(config, "auth.mode = open\nstore.embedded-path = " + others.resolve("store") + "\n");
            Result warned = run(asUser, "check-config", "--config", config.toString());
            assertEquals(0, warned.exit(), warned.output());
            assertTrue(warned.output().contains("# warning: " + others + " is not writable for user nobody but belongs to"
                    + " root: run the gateway as that user"), warned.output());
        }
    }

    /** The gateway's jar with {@code args}, started through {@code prefix} (e.g. setpriv), stdout and stderr together. */
    private static Result run(List<String> prefix, String... args) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
                GatewayProcessIT.JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(Path.of("/").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PIGW_GATEWAY_"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "check-config did not finish");
        return new Result(p.exitValue(), out);
    }
}
