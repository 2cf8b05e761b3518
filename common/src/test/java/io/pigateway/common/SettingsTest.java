package io.pigateway.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    enum Mode { APPLY, CHECK_ONLY }

    @Test
    void durationsNeedAUnitAndAreCheckedAgainstTheirRange() throws ConfigException {
        Settings s = Settings.of("test.conf", Map.of("a", "250ms", "b", "10s", "c", "5m", "d", "10", "e", "2h"));
        assertEquals(Duration.ofMillis(250), s.duration("a", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)));
        assertEquals(Duration.ofSeconds(10), s.duration("b", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)));
        assertEquals(Duration.ofMinutes(5), s.duration("c", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)));
        ConfigException bare = assertThrows(ConfigException.class,
                () -> s.duration("d", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)));
        assertEquals("test.conf: key 'd' = '10' is invalid: must be a number with a unit: ms, s, m or h (e.g. 250ms, 10s)",
                bare.getMessage());
        ConfigException range = assertThrows(ConfigException.class,
                () -> s.duration("e", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)));
        assertEquals("test.conf: key 'e' = '2h' is invalid: must be from 0s to 1h", range.getMessage());
    }

    @Test
    void numbersOutsideTheirRangeNameKeyValueAndRange() {
        Settings s = Settings.of("gw.conf", Map.of("listen.port", "99999", "x", "ten"));
        assertEquals("gw.conf: key 'listen.port' = '99999' is invalid: must be from 1 to 65535",
                assertThrows(ConfigException.class, () -> s.intIn("listen.port", 1, 1, 65535)).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> s.intIn("x", 1, 1, 9)).getMessage()
                .contains("'x' = 'ten' is invalid: must be a whole number"));
    }

    @Test
    void choicesAcceptDashedLowerCaseAndListTheAllowedValues() throws ConfigException {
        Settings s = Settings.of("c", Map.of("m", "check-only", "n", "sometimes"));
        assertEquals(Mode.CHECK_ONLY, s.choice("m", Mode.class, Mode.APPLY));
        assertEquals("c: key 'n' = 'sometimes' is invalid: must be one of apply, check-only",
                assertThrows(ConfigException.class, () -> s.choice("n", Mode.class, Mode.APPLY)).getMessage());
    }

    @Test
    void anUnknownKeyIsRejectedNamingItAndTheKnownKeys() throws ConfigException {
        Settings s = Settings.of("c", Map.of("listen.prot", "1", "listen.port", "2"));
        s.intIn("listen.port", 1, 1, 9);
        ConfigException e = assertThrows(ConfigException.class, s::rejectUnknownKeys);
        assertEquals("c: unknown key 'listen.prot': did you mean 'listen.port'? (docs/CONFIGURATION.md lists the keys)",
                e.getMessage());
    }

    @Test
    void aMissingFileIsAnErrorNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.load(missing));
        assertTrue(e.getMessage().contains(missing.toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void aFileIsReadWithCommentsAndTrimmedValues(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.conf");
        Files.writeString(f, "# comment\n  a.b =  x  \nlist = 1, 2,,3\nflag = true\n");
        Settings s = Settings.load(f);
        assertEquals("x", s.string("a.b", null));
        assertEquals(List.of("1", "2", "3"), s.list("list", List.of()));
        assertTrue(s.bool("flag", false));
        s.rejectUnknownKeys();
    }

    @Test
    void anEnvironmentVariableOverridesTheKeyItNames() throws ConfigException {
        Settings s = Settings.of("test.conf", Map.of("listen.port", "4711", "store.embedded-path", "a"))
                .withEnvironment("PIGW_GATEWAY_", Map.of("PIGW_GATEWAY_LISTEN_PORT", "5000",
                        "PIGW_GATEWAY_STORE_EMBEDDED_PATH", "/var/lib/x", "HOME", "/root"));
        assertEquals(5000, s.intIn("listen.port", 1, 1, 65535));
        assertEquals(Path.of("/var/lib/x"), s.path("store.embedded-path", null));
        assertEquals(Map.of("listen.port", "PIGW_GATEWAY_LISTEN_PORT",
                "store.embedded-path", "PIGW_GATEWAY_STORE_EMBEDDED_PATH"), s.environmentOverrides());
        s.rejectUnknownKeys();
    }

    @Test
    void anEnvironmentVariableThatIsSetButEmptyLeavesTheFilesValueOrTheDefault() throws ConfigException {
        Settings s = Settings.of("test.conf", Map.of("listen.port", "4711"))
                .withEnvironment("PIGW_GATEWAY_", Map.of("PIGW_GATEWAY_LISTEN_PORT", "", "PIGW_GATEWAY_LISTEN_ADDRESS", " "));
        assertEquals(4711, s.intIn("listen.port", 1, 1, 65535), "the file's value");
        assertEquals("0.0.0.0", s.string("listen.address", "0.0.0.0"), "the default");
        assertEquals(Map.of(), s.environmentOverrides());
        assertEquals(List.of("listen.port = 4711 # test.conf", "listen.address = 0.0.0.0 # default"),
                s.effective().stream().map(e -> e.line(0)).toList());
        s.rejectUnknownKeys();
    }

    @Test
    void aBadValueFromTheEnvironmentNamesTheVariableAndTheKey() {
        Settings s = Settings.of("test.conf", Map.of())
                .withEnvironment("PIGW_GATEWAY_", Map.of("PIGW_GATEWAY_LISTEN_PORT", "70000"));
        assertEquals("environment variable PIGW_GATEWAY_LISTEN_PORT (overrides key 'listen.port' of test.conf)"
                        + " = '70000' is invalid: must be from 1 to 65535",
                assertThrows(ConfigException.class, () -> s.intIn("listen.port", 1, 1, 65535)).getMessage());
    }

    @Test
    void aVariableWithThePrefixThatNamesNoKeyIsRejected() throws ConfigException {
        Settings s = Settings.of("test.conf", Map.of())
                .withEnvironment("PIGW_GATEWAY_", Map.of("PIGW_GATEWAY_LISTEN_PROT", "5000"));
        s.intIn("listen.port", 1, 1, 65535);
        ConfigException e = assertThrows(ConfigException.class, s::rejectUnknownKeys);
        assertTrue(e.getMessage().startsWith("environment variable PIGW_GATEWAY_LISTEN_PROT names no configuration key"),
                e.getMessage());
    }

    @Test
    void theCommandLineWinsOverTheEnvironment() throws ConfigException {
        Settings s = Settings.of("test.conf", Map.of("device.id", "file"))
                .withEnvironment("PIGW_CLIENT_", Map.of("PIGW_CLIENT_DEVICE_ID", "env"))
                .with(Map.of("device.id", "cli"));
        assertEquals("cli", s.string("device.id", null));
        assertEquals(Map.of(), s.environmentOverrides());
        s.rejectUnknownKeys();
    }

    @Test
    void anErrorReadingAKeysFileIsPrefixedWithTheSourceAndTheKeys() throws ConfigException {
        Settings s = Settings.of("gateway.conf", Map.of());
        assertEquals("ok", s.fromFiles("tls.key-file", () -> "ok"));
        ConfigException e = assertThrows(ConfigException.class, () -> s.fromFiles("tls.certificate-file, tls.key-file",
                () -> {
                    throw new ConfigException("/etc/k.pem has mode 0644");
                }));
        assertEquals("gateway.conf: tls.certificate-file, tls.key-file: /etc/k.pem has mode 0644", e.getMessage());
    }

    @Test
    void aBooleanIsTrueOrFalseAndNothingElse() throws ConfigException {
        Settings s = Settings.of("c", Map.of("a", "true", "b", "FALSE", "c", "yes", "d", "on", "e", "1"));
        assertTrue(s.bool("a", false));
        assertEquals(false, s.bool("b", true));
        for (String key : List.of("c", "d", "e")) {
            assertEquals("c: key '" + key + "' = '" + s.string(key, null) + "' is invalid: must be true or false",
                    assertThrows(ConfigException.class, () -> s.bool(key, false)).getMessage());
        }
    }

    @Test
    void anEmptyValueInTheFileIsRefusedNotTakenForTheDefault(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("g.conf"), "# ports\nlisten.port =\n");
        assertEquals(f + ": line 2: key 'listen.port' = '' is invalid: the value is empty; write a value, or delete"
                + " the line to use the default", assertThrows(ConfigException.class, () -> Settings.load(f)).getMessage());
    }

    @Test
    void aLineWithoutAnEqualsSignIsRefused(@TempDir Path dir) throws Exception {
        Path bare = Files.writeString(dir.resolve("g.conf"), "listen.port = 1\nlisten.address\n");
        assertEquals(bare + ": line 2 'listen.address' has no '=': write key = value (or delete the line to use"
                + " the default)", assertThrows(ConfigException.class, () -> Settings.load(bare)).getMessage());
        Path colon = Files.writeString(dir.resolve("h.conf"), "listen.port: 4711\n");
        assertTrue(assertThrows(ConfigException.class, () -> Settings.load(colon)).getMessage()
                .startsWith(colon + ": line 1 'listen.port: 4711' has no '='"));
    }

    @Test
    void aKeySetTwiceIsRefusedNamingBothLines(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("g.conf"), "listen.port = 1\n\n# again\nlisten.port = 2\n");
        assertEquals(f + ": key 'listen.port' is set twice, on line 1 and line 4; keep one",
                assertThrows(ConfigException.class, () -> Settings.load(f)).getMessage());
    }

    @Test
    void aValueIsTakenAsWrittenWithoutPropertiesEscapes(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("g.conf"), "a = C:\\x=y # not a comment\n");
        assertEquals("C:\\x=y # not a comment", Settings.load(f).string("a", null));
    }

    @Test
    void theEffectiveValuesSayWhereEachCameFrom(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("g.conf"), "# x\nlisten.port = 4711\ndevice.id = file\nhttp.port = 1\n");
        Settings s = Settings.load(f)
                .withEnvironment("PIGW_", Map.of("PIGW_HTTP_PORT", "9000"))
                .with(Map.of("device.id", "cli"));
        s.intIn("listen.port", 1, 1, 65535);
        s.string("device.id", null);
        s.intIn("http.port", 1, 1, 65535);
        s.duration("send.wait", Duration.ofMillis(200), Duration.ZERO, Duration.ofHours(1));
        s.path("secret-file", null);
        assertEquals(List.of(new Settings.Effective("listen.port", "4711", "line 2"),
                new Settings.Effective("device.id", "cli", "command line"),
                new Settings.Effective("http.port", "9000", "environment variable PIGW_HTTP_PORT"),
                new Settings.Effective("send.wait", "200ms", "default")), s.effective());
        assertEquals("""
                listen.port = 4711  # line 2
                device.id = cli     # command line
                http.port = 9000    # environment variable PIGW_HTTP_PORT
                send.wait = 200ms   # default
                """, s.describe());
    }

    @Test
    void aKeyThatDoesNothingInThisConfigurationIsRefusedSayingWhy() throws ConfigException {
        Settings s = Settings.of("g.conf", Map.of("store.host", "db"));
        assertEquals("g.conf: key 'store.host' = 'db' is invalid: not used with store.type = embedded",
                assertThrows(ConfigException.class, () -> s.refuseIfSet("store.host", "store.type = embedded"))
                        .getMessage());
        s.refuseIfSet("store.port", "store.type = embedded");
    }

    @Test
    void anUnknownKeyFarFromEveryKnownOneGetsNoSuggestionAndNoListOfKeys(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("g.conf"), "listen.port = 1\ncolour = blue\nlisten.adress = ::\n");
        Settings s = Settings.load(f);
        s.intIn("listen.port", 1, 1, 9);
        s.string("listen.address", "0.0.0.0");
        assertEquals(f + ": unknown keys 'colour' (line 2); 'listen.adress' (line 3): did you mean 'listen.address'?"
                + " (docs/CONFIGURATION.md lists the keys)",
                assertThrows(ConfigException.class, s::rejectUnknownKeys).getMessage());
    }

    @Test
    void theEditDistanceCountsAnAdjacentSwapAsOneEdit() {
        assertEquals(1, Settings.editDistance("listen.prot", "listen.port"));
        assertEquals(1, Settings.editDistance("gateway.adresses", "gateway.addresses"));
        assertEquals(0, Settings.editDistance("a", "a"));
        assertEquals(3, Settings.editDistance("", "abc"));
    }

    @Test
    void aMissingRequiredKeyPointsAtAMisspeltOne(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("c.conf"), "device.id = a\ngateway.adresses = h:4711\n");
        assertEquals(f + ": key 'gateway.addresses' is required but missing; did you mean it where the file has"
                + " 'gateway.adresses' (line 2)?", assertThrows(ConfigException.class,
                        () -> Settings.load(f).requiredString("gateway.addresses")).getMessage());
    }
}
