package io.pigateway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {

    /** Parses {@code values}, with {@code auth.mode = open} unless they say otherwise (auth has tests of its own). */
    static GatewayConfig parse(Map<String, String> values) throws ConfigException {
        Map<String, String> withAuth = new java.util.HashMap<>(values);
        withAuth.putIfAbsent("auth.mode", "open");
        return GatewayConfig.from(Settings.of("gateway.conf", withAuth));
    }

    @Test
    void anEmptyFileGivesAnEmbeddedStoreAndTheDocumentedDefaults() throws ConfigException {
        GatewayConfig c = parse(Map.of());
        assertEquals(4711, c.listen().port());
        assertEquals(128, c.listen().backlog());
        assertEquals(StoreConfig.Kind.EMBEDDED, c.store().kind());
        assertEquals(12_000, c.limits().maxConnections());
        assertEquals(262_144, c.limits().maxPayloadBytes());
        assertEquals(2, c.writer().threads());
        assertEquals(1000, c.writer().batchMaxReadings());
        assertEquals(Duration.ZERO, c.writer().batchMaxWait());
        assertEquals(100_000, c.writer().queueCapacity());
        assertEquals(3, c.writer().conflictRetries());
        assertEquals(Duration.ofMillis(50), c.writer().conflictRetryPause());
    }

    /**
     * The packaged gateway.conf shows each default as a commented-out line ({@code #key = value}); the
     * benchmark reads them too. A default changed in code but not there (limits.max-connections stayed
     * 1000 in the benchmark after the gateway's became 12000) fails here.
     */
    @Test
    void theCommentedOutLinesOfThePackagedConfigurationShowTheGatewaysOwnDefaults() throws Exception {
        Settings s = Settings.of("gateway.conf", Map.of("auth.mode", "open"));
        GatewayConfig.from(s);
        Map<String, String> defaults = new java.util.HashMap<>();
        s.effective().stream().filter(e -> e.origin().equals("default")).forEach(e -> defaults.put(e.key(), e.value()));
        java.util.regex.Pattern commented = java.util.regex.Pattern.compile("^#([a-z][a-z0-9.-]*) = (.*)$");
        List<String> lines = Files.readAllLines(Path.of("..", "deploy", "gateway.conf"));
        // A key the file sets shows an alternative in its commented-out line (#store.type = mysql), and
        // a commented-out "enabled = true" shows how to switch something on: neither is a default.
        java.util.Set<String> set = new java.util.HashSet<>();
        lines.stream().map(String::strip).filter(l -> l.matches("^[a-z][a-z0-9.-]* = .*"))
                .forEach(l -> set.add(l.substring(0, l.indexOf(' '))));
        List<String> differ = new java.util.ArrayList<>();
        int compared = 0;
        for (String line : lines) {
            java.util.regex.Matcher m = commented.matcher(line.strip());
            if (m.matches() && defaults.containsKey(m.group(1)) && !set.contains(m.group(1))
                    && !(m.group(1).endsWith(".enabled") && m.group(2).strip().equals("true"))) {
                compared++;
                String file = m.group(2).strip();
                String gateway = defaults.get(m.group(1));
                boolean same = file.equals(gateway) || (duration(file) != null && duration(file).equals(duration(gateway)));
                if (!same) {
                    differ.add(m.group(1) + ": the file says " + m.group(2).strip() + ", the gateway " + defaults.get(m.group(1)));
                }
            }
        }
        assertEquals(List.of(), differ);
        assertTrue(compared >= 20, "only " + compared + " commented-out defaults compared");
    }

    /** "120s", "2m", "0ms" read as the gateway reads durations; {@code null} for anything else. */
    private static Duration duration(String value) {
        try {
            return Settings.of("gateway.conf", Map.of("d", value)).duration("d", Duration.ZERO, Duration.ZERO,
                    Duration.ofDays(365));
        } catch (ConfigException e) {
            return null;
        }
    }

    @Test
    void theConflictRetriesAreConfigurable() throws ConfigException {
        WriterConfig w = parse(Map.of("writer.conflict-retries", "0", "writer.conflict-retry-pause", "200ms")).writer();
        assertEquals(0, w.conflictRetries());
        assertEquals(Duration.ofMillis(200), w.conflictRetryPause());
        ConfigException e = assertThrows(ConfigException.class, () -> parse(Map.of("writer.conflict-retries", "101")));
        assertEquals("gateway.conf: key 'writer.conflict-retries' = '101' is invalid: must be from 0 to 100", e.getMessage());
    }

    @Test
    void connectionsBeforeAuthenticationHaveTheirOwnDocumentedLimits() throws Exception {
        HandshakeLimits d = parse(Map.of()).limits().handshakeLimits();
        assertEquals(new HandshakeLimits(128, 20, 100, 32, 64), d);
        HandshakeLimits set = parse(Map.of("limits.max-unauthenticated-connections", "16",
                "limits.new-connections-per-second", "0", "limits.new-connection-burst", "5",
                "limits.ipv4-prefix-length", "24", "limits.ipv6-prefix-length", "56")).limits().handshakeLimits();
        assertEquals(new HandshakeLimits(16, 0, 5, 24, 56), set);
        assertEquals("192.0.2.0/24", set.sourceOf(java.net.InetAddress.getByName("192.0.2.77")).toString());
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(Map.of("limits.ipv6-prefix-length", "8")));
        assertTrue(e.getMessage().startsWith("gateway.conf: key 'limits.ipv6-prefix-length' = '8' is invalid"),
                e.getMessage());
    }

    @Test
    void listenAddressMayListSeveralAddressesButAWildcardOnlyAlone() throws ConfigException {
        ListenConfig both = parse(Map.of("listen.address", "127.0.0.1, [::1]")).listen();
        assertEquals("127.0.0.1", both.address().getHostAddress());
        assertEquals(List.of("127.0.0.1", "0:0:0:0:0:0:0:1"), both.addresses().stream().map(InetAddress::getHostAddress).toList());
        assertEquals("gateway.conf: key 'listen.address' = '0.0.0.0, ::1' is invalid: a wildcard address (0.0.0.0, ::)"
                + " must be the only one: :: alone accepts IPv4 and IPv6 clients (dual-stack)",
                assertThrows(ConfigException.class, () -> parse(Map.of("listen.address", "0.0.0.0, ::1"))).getMessage());
        assertEquals("gateway.conf: key 'listen.address' = '::1, [::1]' is invalid: lists [::1] twice",
                assertThrows(ConfigException.class, () -> parse(Map.of("listen.address", "::1, [::1]"))).getMessage());
    }

    @Test
    void theUnixSocketNeedsAnAbsolutePathAndAnOctalMode() throws ConfigException {
        assertFalse(parse(Map.of()).listen().unixSocket().enabled());
        UnixSocketConfig unix = parse(Map.of("listen.unix-socket", "/run/pi-gateway/gateway.sock")).listen().unixSocket();
        assertEquals(Path.of("/run/pi-gateway/gateway.sock"), unix.path());
        assertEquals("0660", UnixSocketConfig.octal(unix.mode()));
        assertEquals("0600", UnixSocketConfig.octal(parse(Map.of("listen.unix-socket", "/run/gw.sock",
                "listen.unix-socket-mode", "600")).listen().unixSocket().mode()));
        assertEquals("gateway.conf: key 'listen.unix-socket-mode' = '0860' is invalid: must be an octal file mode such as"
                + " 0660 (owner and group may connect) or 0600 (owner only)", assertThrows(ConfigException.class,
                () -> parse(Map.of("listen.unix-socket", "/run/gw.sock", "listen.unix-socket-mode", "0860"))).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> parse(Map.of("listen.unix-socket", "gw.sock"))).getMessage()
                .contains("must be an absolute path"));
        assertEquals("gateway.conf: key 'listen.unix-socket-mode' = '0600' is invalid: not used with listen.unix-socket unset",
                assertThrows(ConfigException.class, () -> parse(Map.of("listen.unix-socket-mode", "0600"))).getMessage());
    }

    @Test
    void ipv6ListenAddressesAreAcceptedWithOrWithoutBrackets() throws ConfigException {
        assertEquals("0:0:0:0:0:0:0:1", parse(Map.of("listen.address", "[::1]")).listen().address().getHostAddress());
        assertEquals("0:0:0:0:0:0:0:0", parse(Map.of("listen.address", "::")).listen().address().getHostAddress());
    }

    @Test
    void mysqlNeedsHostUserAndAReadablePasswordFile(@TempDir Path dir) throws Exception {
        ConfigException noHost = assertThrows(ConfigException.class, () -> parse(Map.of("store.type", "mysql")));
        assertEquals("gateway.conf: key 'store.host' is required but missing", noHost.getMessage());

        ConfigException noFile = assertThrows(ConfigException.class, () -> parse(Map.of("store.type", "mysql",
                "store.host", "192.168.0.25", "store.user", "gateway")));
        assertTrue(noFile.getMessage().contains("'store.password-file' is required"), noFile.getMessage());

        ConfigException missing = assertThrows(ConfigException.class, () -> parse(Map.of("store.type", "mysql",
                "store.host", "192.168.0.25", "store.user", "gateway", "store.password-file", dir + "/nope")));
        assertTrue(missing.getMessage().contains("'store.password-file' = '" + dir + "/nope' is invalid"), missing.getMessage());

        Path pw = Files.writeString(dir.resolve("pw"), "secret\n");
        ConfigException open = assertThrows(ConfigException.class, () -> parse(Map.of("store.type", "mysql",
                "store.host", "192.168.0.25", "store.user", "gateway", "store.password-file", pw.toString())));
        assertEquals("gateway.conf: key 'store.password-file' = '" + pw + "' is invalid: " + pw + " has mode 0644"
                + " (rw-r--r--); must not be accessible by group or others: chmod 600 " + pw, open.getMessage());

        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        GatewayConfig ok = parse(Map.of("store.type", "mysql", "store.host", "192.168.0.25", "store.user", "gateway",
                "store.password-file", pw.toString()));
        assertEquals("MySQL gateway@192.168.0.25:3306/pi", ok.store().describe());
    }

    @Test
    void aPasswordFileGivenAsASystemdCredentialNeedsTheCredentialsDirectory() {
        assumeTrue(System.getenv("CREDENTIALS_DIRECTORY") == null, "not run under systemd with credentials");
        ConfigException e = assertThrows(ConfigException.class, () -> parse(Map.of("store.type", "mysql",
                "store.host", "db", "store.user", "gateway", "store.password-file", "credential:db-password")));
        assertTrue(e.getMessage().startsWith("gateway.conf: key 'store.password-file' = 'credential:db-password' is"
                + " invalid: CREDENTIALS_DIRECTORY is not set"), e.getMessage());
    }

    @Test
    void aQueueSmallerThanOneBatchIsRefusedNamingBothKeys() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(Map.of("writer.transaction-max-readings", "5000", "writer.queue-capacity", "100")));
        assertEquals("gateway.conf: key 'writer.queue-capacity' = '100' is invalid: must be at least"
                + " writer.transaction-max-readings (5000)", e.getMessage());
    }

    @Test
    void theOldWriterBatchKeysStillWorkButNotTogetherWithTheNewOnes() throws Exception {
        GatewayConfig c = parse(Map.of("writer.batch-max-readings", "300", "writer.batch-max-wait", "5ms"));
        assertEquals(300, c.writer().batchMaxReadings());
        assertEquals(java.time.Duration.ofMillis(5), c.writer().batchMaxWait());
        ConfigException e = assertThrows(ConfigException.class, () -> parse(Map.of(
                "writer.batch-max-readings", "300", "writer.transaction-max-readings", "400")));
        assertTrue(e.getMessage().contains("is the old name of 'writer.transaction-max-readings', which is set too"),
                e.getMessage());
    }

    @Test
    void anH2PathThatWouldAddUrlSettingsIsRefusedNamingTheKeyAndValue() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(Map.of("store.embedded-path", "/tmp/x;INIT=RUNSCRIPT FROM 'evil'")));
        assertEquals("gateway.conf: key 'store.embedded-path' = '/tmp/x;INIT=RUNSCRIPT FROM 'evil'' is invalid:"
                + " contains ';' at index 6; the H2 URL would read what follows as settings (such as INIT, which runs SQL)",
                e.getMessage());

        ConfigException fromEnvironment = assertThrows(ConfigException.class, () -> GatewayConfig.from(
                Settings.of("gateway.conf", Map.of("auth.mode", "open")).withEnvironment(GatewayConfig.ENVIRONMENT_PREFIX,
                        Map.of("PIGW_GATEWAY_STORE_EMBEDDED_PATH", "data/db;INIT=CREATE ALIAS X"))));
        assertTrue(fromEnvironment.getMessage().startsWith("environment variable PIGW_GATEWAY_STORE_EMBEDDED_PATH"
                + " (overrides key 'store.embedded-path' of gateway.conf) = 'data/db;INIT=CREATE ALIAS X' is invalid:"
                + " contains ';' at index 7"), fromEnvironment.getMessage());
    }

    @Test
    void aMysqlHostDatabaseOrOptionThatWouldAddUrlParametersIsRefusedNamingTheKeyAndValue() {
        Map<String, String> mysql = Map.of("store.type", "mysql", "store.user", "gateway");
        assertEquals("gateway.conf: key 'store.host' = 'db/pi?allowLoadLocalInfile=true#' is invalid: must be a host"
                + " name (A-Z a-z 0-9 . _ -), an IPv4 address or an IPv6 address in brackets; anything else would"
                + " change the JDBC URL", assertThrows(ConfigException.class, () -> parse(with(mysql,
                        "store.host", "db/pi?allowLoadLocalInfile=true#"))).getMessage());
        assertEquals("gateway.conf: key 'store.database' = 'pi?autoDeserialize=true' is invalid: must be 1 to 64 of"
                + " A-Z a-z 0-9 _ $ -; anything else would change the JDBC URL", assertThrows(ConfigException.class,
                        () -> parse(with(mysql, "store.host", "db", "store.database", "pi?autoDeserialize=true"))).getMessage());
        assertEquals("gateway.conf: key 'store.jdbc-options' = 'sslMode=VERIFY_IDENTITY&allowLoadLocalInfile=true' is"
                + " invalid: option 'allowLoadLocalInfile' is refused: it can load classes, read local files,"
                + " deserialize data from the server or change the credentials", assertThrows(ConfigException.class,
                        () -> parse(with(mysql, "store.host", "db", "store.jdbc-options",
                                "sslMode=VERIFY_IDENTITY&allowLoadLocalInfile=true"))).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> parse(with(mysql, "store.host", "db", "store.jdbc-options",
                "sslMode=REQUIRED#&queryInterceptors=x"))).getMessage().contains("value of option 'sslMode' contains '#'"));
        assertTrue(assertThrows(ConfigException.class, () -> parse(with(mysql, "store.host", "db", "store.jdbc-options",
                "sslMode"))).getMessage().endsWith("'sslMode' is not key=value; write k=v&k=v"));
    }

    @Test
    void ordinaryHostsDatabasesAndOptionsPassTheUrlRules() {
        assertEquals(null, JdbcUrlValues.hostProblem("db-1.example.org"));
        assertEquals(null, JdbcUrlValues.hostProblem("192.168.0.25"));
        assertEquals(null, JdbcUrlValues.hostProblem("[fd00::25]"));
        assertEquals(null, JdbcUrlValues.databaseProblem("pi_test_3"));
        assertEquals(null, JdbcUrlValues.jdbcOptionsProblem(""));
        assertEquals(null, JdbcUrlValues.jdbcOptionsProblem("?sslMode=VERIFY_IDENTITY&trustCertificateKeyStoreUrl="
                + "file:/etc/pi-gateway/db-ca.p12&socketTimeout=5000"));
        assertEquals(null, JdbcUrlValues.embeddedPathProblem("/var/lib/pi-gateway/store"));
    }

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        Map<String, String> m = new java.util.HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void aMisspeltKeyIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(Map.of("listen.prot", "4711")));
        assertEquals("gateway.conf: unknown key 'listen.prot': did you mean 'listen.port'?"
                + " (docs/CONFIGURATION.md lists the keys)", e.getMessage());
    }

    @Test
    void badValuesNameTheKeyTheValueAndWhatIsAllowed() {
        assertEquals("gateway.conf: key 'listen.port' = '70000' is invalid: must be from 0 to 65535",
                assertThrows(ConfigException.class, () -> parse(Map.of("listen.port", "70000"))).getMessage());
        assertEquals("gateway.conf: key 'store.type' = 'postgres' is invalid: must be one of embedded, mysql",
                assertThrows(ConfigException.class, () -> parse(Map.of("store.type", "postgres"))).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> parse(Map.of("listen.address", "no such host.invalid")))
                .getMessage().startsWith("gateway.conf: key 'listen.address' = 'no such host.invalid' is invalid"));
    }

    @Test
    void theHttpEndpointIsOffByDefaultAndOnLoopbackPort9471WhenEnabled() throws ConfigException {
        HttpConfig off = parse(Map.of()).http();
        assertFalse(off.enabled());
        HttpConfig on = parse(Map.of("http.enabled", "true")).http();
        assertTrue(on.enabled());
        assertEquals("127.0.0.1", on.address().getHostAddress());
        assertEquals(9471, on.port());
        HttpConfig any = parse(Map.of("http.enabled", "true", "http.address", "0.0.0.0", "http.port", "0")).http();
        assertTrue(any.address().isAnyLocalAddress());
        assertEquals(0, any.port());
    }

    @Test
    void badHttpValuesNameTheKeyTheValueAndWhatIsAllowed() {
        assertEquals("gateway.conf: key 'http.enabled' = 'maybe' is invalid: must be true or false",
                assertThrows(ConfigException.class, () -> parse(Map.of("http.enabled", "maybe"))).getMessage());
        assertEquals("gateway.conf: key 'http.port' = '70000' is invalid: must be from 0 to 65535",
                assertThrows(ConfigException.class, () -> parse(Map.of("http.port", "70000"))).getMessage());
        assertEquals("gateway.conf: key 'http.port' = '-1' is invalid: must be from 0 to 65535",
                assertThrows(ConfigException.class, () -> parse(Map.of("http.port", "-1"))).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> parse(Map.of("http.address", "not a host.invalid")))
                .getMessage().startsWith("gateway.conf: key 'http.address' = 'not a host.invalid' is invalid"));
        assertTrue(assertThrows(ConfigException.class, () -> parse(Map.of("http.path", "/metrics")))
                .getMessage().startsWith("gateway.conf: unknown key 'http.path': did you mean 'http.port'?"));
    }

    @Test
    void theHttpPortMustNotBeTheSensorClientsPortOnTheSameAddress() throws ConfigException {
        assertEquals("gateway.conf: key 'http.port' = '4711' is invalid: must differ from listen.port (4711),"
                        + " which the sensor clients use on the same address",
                assertThrows(ConfigException.class, () -> parse(Map.of("http.enabled", "true", "http.port", "4711")))
                        .getMessage());
        // Disabled, or on another address than a specific listen address: no clash.
        assertEquals(4711, parse(Map.of("http.port", "4711")).http().port());
        assertEquals(4711, parse(Map.of("http.enabled", "true", "http.port", "4711", "listen.address", "127.0.0.2"))
                .http().port());
    }

    @Test
    void statusThresholdsDefaultTo30sAnd5mAndSilentMustBeLonger() throws ConfigException {
        HttpConfig http = parse(Map.of()).http();
        assertEquals(Duration.ofSeconds(30), http.lateAfter());
        assertEquals(Duration.ofMinutes(5), http.silentAfter());
        HttpConfig set = parse(Map.of("status.late-after", "10s", "status.silent-after", "1m")).http();
        assertEquals(Duration.ofSeconds(10), set.lateAfter());
        assertEquals(Duration.ofMinutes(1), set.silentAfter());
        assertEquals("gateway.conf: key 'status.silent-after' = '10s' is invalid: must be longer than"
                        + " status.late-after (30s)",
                assertThrows(ConfigException.class, () -> parse(Map.of("status.silent-after", "10s"))).getMessage());
    }

    @Test
    void anAccessTokenIsReadFromAPrivateFileAndNeverPrinted(@TempDir Path dir) throws Exception {
        assertEquals(null, parse(Map.of()).http().token());
        Path file = dir.resolve("token");
        Files.writeString(file, "0123456789abcdef-token\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        HttpConfig http = parse(Map.of("http.token-file", file.toString())).http();
        assertTrue(http.token().matches("0123456789abcdef-token"));
        assertFalse(http.token().matches("0123456789abcdef-toke"));
        assertFalse(http.toString().contains("0123456789abcdef-token"), http.toString());

        Files.writeString(file, "short\n");
        assertTrue(assertThrows(ConfigException.class, () -> parse(Map.of("http.token-file", file.toString())))
                .getMessage().startsWith("gateway.conf: key 'http.token-file' = '" + file + "' is invalid: the token"
                        + " has 5 characters; at least 16 are needed"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThrows(ConfigException.class, () -> parse(Map.of("http.token-file", file.toString())),
                "a token others can read is refused, like every secret file");
    }

    @Test
    void aYesIsNotABoolean() {
        assertEquals("gateway.conf: key 'http.enabled' = 'yes' is invalid: must be true or false",
                assertThrows(ConfigException.class, () -> parse(Map.of("http.enabled", "yes"))).getMessage());
    }

    @Test
    void aMysqlKeyWithTheEmbeddedStoreIsRefusedSayingItIsNotUsedNotThatItIsUnknown() {
        assertEquals("gateway.conf: key 'store.host' = 'db' is invalid: not used with store.type = embedded",
                assertThrows(ConfigException.class, () -> parse(Map.of("store.host", "db"))).getMessage());
        assertEquals("gateway.conf: key 'store.password-file' = '/etc/pw' is invalid: not used with store.type = embedded",
                assertThrows(ConfigException.class, () -> parse(Map.of("store.type", "embedded",
                        "store.password-file", "/etc/pw"))).getMessage());
    }

    @Test
    void theEmbeddedPathWithMysqlIsRefusedSayingItIsNotUsed() {
        assertEquals("gateway.conf: key 'store.embedded-path' = '/var/lib/x' is invalid: not used with store.type = mysql",
                assertThrows(ConfigException.class, () -> parse(Map.of("store.type", "mysql", "store.host", "db",
                        "store.user", "gw", "store.embedded-path", "/var/lib/x"))).getMessage());
    }

    @Test
    void aMisspeltStoreKeySuggestsTheNearestKey() {
        assertEquals("gateway.conf: unknown key 'store.embeded-path': did you mean 'store.embedded-path'?"
                + " (docs/CONFIGURATION.md lists the keys)", assertThrows(ConfigException.class,
                        () -> parse(Map.of("store.embeded-path", "/x"))).getMessage());
    }

    @Test
    void aBadLogLevelNamesTheKey() {
        assertEquals("gateway.conf: key 'log.level' = 'loud' is invalid: must be one of trace, debug, info, warn, error",
                assertThrows(ConfigException.class, () -> parse(Map.of("log.level", "loud"))).getMessage());
    }
}
