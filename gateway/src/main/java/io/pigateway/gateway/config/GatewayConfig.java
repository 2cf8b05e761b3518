package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.common.Settings;
import io.pigateway.common.logging.LogLevel;
import io.pigateway.gateway.auth.DeviceSecrets;
import io.pigateway.protocol.Frames;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The whole gateway configuration, validated once at start-up. Every key, its default and its range
 * is read in {@link #from(Settings)}; docs/CONFIGURATION.md lists the same.
 */
public record GatewayConfig(ListenConfig listen, LimitsConfig limits, StoreConfig store, WriterConfig writer,
                            Duration statsInterval, boolean logReadings, Duration shutdownTimeout, AuthConfig auth,
                            HttpConfig http, TlsConfig tls) {

    public static final Path DEFAULT_FILE = Path.of("/etc/pi-gateway/gateway.conf");
    /** Environment variables with this prefix override keys: PIGW_GATEWAY_LISTEN_PORT for listen.port. */
    public static final String ENVIRONMENT_PREFIX = "PIGW_GATEWAY_";
    /** Keys that only {@code store.type = mysql} reads; with the embedded store they are refused, not ignored. */
    private static final java.util.List<String> MYSQL_ONLY_KEYS = java.util.List.of("store.host", "store.port",
            "store.database", "store.jdbc-options", "store.user", "store.password-file");

    public GatewayConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(statsInterval, "statsInterval");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(tls, "tls");
    }

    public GatewayConfig withTls(TlsConfig newTls) {
        return new GatewayConfig(listen, limits, store, writer, statsInterval, logReadings, shutdownTimeout, auth, http,
                newTls);
    }

    public GatewayConfig withHttp(HttpConfig newHttp) {
        return new GatewayConfig(listen, limits, store, writer, statsInterval, logReadings, shutdownTimeout, auth, newHttp, tls);
    }

    public GatewayConfig withStore(StoreConfig newStore) {
        return new GatewayConfig(listen, limits, newStore, writer, statsInterval, logReadings, shutdownTimeout, auth, http, tls);
    }

    public GatewayConfig withLimits(LimitsConfig newLimits) {
        return new GatewayConfig(listen, newLimits, store, writer, statsInterval, logReadings, shutdownTimeout, auth, http, tls);
    }

    public GatewayConfig withWriter(WriterConfig newWriter) {
        return new GatewayConfig(listen, limits, store, newWriter, statsInterval, logReadings, shutdownTimeout, auth, http, tls);
    }

    public GatewayConfig withAuth(AuthConfig newAuth) {
        return new GatewayConfig(listen, limits, store, writer, statsInterval, logReadings, shutdownTimeout, newAuth, http, tls);
    }

    public GatewayConfig withListen(ListenConfig newListen) {
        return new GatewayConfig(newListen, limits, store, writer, statsInterval, logReadings, shutdownTimeout, auth, http, tls);
    }

    /**
     * Loopback, a free port, an embedded store in {@code dir}, any device accepted and no rate limits
     * on readings or new connections (tests of those set them): for tests.
     */
    public static GatewayConfig forTests(Path dir) {
        return new GatewayConfig(new ListenConfig(InetAddress.getLoopbackAddress(), 0, 128),
                LimitsConfig.defaults().withMaxReadingsPerSecond(0)
                        .withHandshakeLimits(HandshakeLimits.defaults().withNewConnectionRate(0, 1)),
                StoreConfig.embedded(dir.resolve("store")), WriterConfig.defaults(), Duration.ZERO, false,
                Duration.ofSeconds(10), AuthConfig.open(), HttpConfig.disabled(), TlsConfig.DISABLED);
    }

    public static GatewayConfig from(Settings s) throws ConfigException {
        ListenConfig listen = new ListenConfig(
                address(s, "listen.address", "0.0.0.0"),
                s.intIn("listen.port", 4711, 0, 65535),
                s.intIn("listen.backlog", 128, 1, 65535));

        int maxFrameBytes = s.intIn("limits.max-frame-bytes", Frames.DEFAULT_MAX_PAYLOAD, 64, Frames.PROTOCOL_MAX_PAYLOAD);
        int helloFloor = Math.min(LimitsConfig.MIN_HELLO_BYTES, maxFrameBytes);
        int maxHelloBytes = s.intIn("limits.max-hello-bytes", Math.min(LimitsConfig.DEFAULT_MAX_HELLO_BYTES, maxFrameBytes),
                helloFloor, Frames.PROTOCOL_MAX_PAYLOAD);
        if (maxHelloBytes > maxFrameBytes) {
            throw s.invalid("limits.max-hello-bytes", Integer.toString(maxHelloBytes),
                    "must be at most limits.max-frame-bytes (" + maxFrameBytes + ")");
        }
        int maxSensors = s.intIn("limits.max-sensors", LimitsConfig.DEFAULT_MAX_SENSORS, 0, 65535);
        int maxSensorsPerDevice = s.intIn("limits.max-sensors-per-device",
                Math.max(LimitsConfig.DEFAULT_MAX_SENSORS_PER_DEVICE, maxSensors), 0, LimitsConfig.MAX_SENSORS_PER_DEVICE);
        if (maxSensorsPerDevice < maxSensors) {
            throw s.invalid("limits.max-sensors-per-device", Integer.toString(maxSensorsPerDevice),
                    "must be at least limits.max-sensors (" + maxSensors + ")");
        }
        LimitsConfig limits = new LimitsConfig(
                s.intIn("limits.max-connections", LimitsConfig.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
                maxFrameBytes,
                s.intIn("limits.max-readings-per-frame", 4096, 1, 65535),
                s.duration("limits.handshake-timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(10)),
                s.duration("limits.idle-timeout", Duration.ofSeconds(120), Duration.ofSeconds(1), Duration.ofHours(24)),
                s.duration("limits.queue-wait", Duration.ofSeconds(30), Duration.ofMillis(10), Duration.ofMinutes(10)),
                s.intIn("limits.max-connections-per-address", LimitsConfig.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, 1, 1_000_000),
                s.intIn("limits.max-readings-per-second", LimitsConfig.DEFAULT_MAX_READINGS_PER_SECOND, 0, 10_000_000),
                maxHelloBytes,
                maxSensors,
                maxSensorsPerDevice,
                s.intIn("limits.connection-memory-percent", LimitsConfig.DEFAULT_CONNECTION_MEMORY_PERCENT, 1, 90),
                handshakeLimits(s));

        StoreConfig.Kind kind = s.choice("store.type", StoreConfig.Kind.class, StoreConfig.Kind.EMBEDDED);
        StoreConfig.MigrationMode migrate = s.choice("store.migrate", StoreConfig.MigrationMode.class,
                StoreConfig.MigrationMode.APPLY);
        Duration connectTimeout = s.duration("store.connect-timeout", Duration.ofSeconds(10), Duration.ofMillis(100),
                Duration.ofMinutes(5));
        StoreConfig store;
        if (kind == StoreConfig.Kind.EMBEDDED) {
            for (String key : MYSQL_ONLY_KEYS) {
                s.refuseIfSet(key, "store.type = embedded");
            }
            Path embeddedPath = s.path("store.embedded-path", Path.of("data/pi-gateway"));
            refuse(s, "store.embedded-path", embeddedPath.toString(), JdbcUrlValues.embeddedPathProblem(embeddedPath.toString()));
            store = new StoreConfig(kind, embeddedPath, null, 0, null, null, null, "", migrate, connectTimeout);
        } else {
            s.refuseIfSet("store.embedded-path", "store.type = mysql");
            String host = s.requiredString("store.host");
            refuse(s, "store.host", host, DatabaseNode.problem(host));
            int port = s.intIn("store.port", 3306, 1, 65535);
            String database = s.string("store.database", "pi");
            refuse(s, "store.database", database, JdbcUrlValues.databaseProblem(database));
            String options = s.string("store.jdbc-options", "");
            refuse(s, "store.jdbc-options", options, JdbcUrlValues.jdbcOptionsProblem(options));
            String user = s.requiredString("store.user");
            Path passwordFile = SecretFile.resolve(s, "store.password-file");
            if (passwordFile == null) {
                throw new ConfigException(s.source() + ": key 'store.password-file' is required when store.type = mysql"
                        + " (the password is read from a file, never from this configuration)");
            }
            try {
                SecretFile.at(passwordFile).check();
            } catch (ConfigException e) {
                throw s.invalid("store.password-file", s.string("store.password-file", ""), e.getMessage());
            }
            store = new StoreConfig(kind, null, host, port, database, user, passwordFile, options, migrate, connectTimeout);
        }

        int batch = s.intIn("writer.batch-max-readings", 1000, 1, 100_000);
        int queue = s.intIn("writer.queue-capacity", 100_000, 1, 10_000_000);
        if (queue < batch) {
            throw s.invalid("writer.queue-capacity", Integer.toString(queue),
                    "must be at least writer.batch-max-readings (" + batch + ")");
        }
        WriterConfig writer = new WriterConfig(
                s.intIn("writer.threads", 2, 1, 64),
                batch,
                s.duration("writer.batch-max-wait", Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10)),
                queue,
                s.duration("writer.retry-backoff-max", Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMinutes(10)),
                s.intIn("writer.conflict-retries", WriterConfig.DEFAULT_CONFLICT_RETRIES, 0, 100),
                s.duration("writer.conflict-retry-pause", WriterConfig.DEFAULT_CONFLICT_RETRY_PAUSE, Duration.ZERO,
                        Duration.ofSeconds(10)));

        Duration stats = s.duration("log.stats-interval", Duration.ofSeconds(60), Duration.ZERO, Duration.ofHours(24));
        boolean logReadings = s.bool("log.readings", false);
        Duration shutdown = s.duration("shutdown.timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5));
        AuthConfig auth = auth(s);
        s.choice("log.level", LogLevel.class, LogLevel.INFO); // applied by GatewayMain before logging starts
        HttpConfig http = http(s, listen);
        TlsConfig tls = TlsConfig.from(s);
        s.rejectUnknownKeys();
        return new GatewayConfig(listen, limits, store, writer, stats, logReadings, shutdown, auth, http, tls);
    }

    private static HandshakeLimits handshakeLimits(Settings s) throws ConfigException {
        int maxUnauthenticated = s.intIn("limits.max-unauthenticated-connections",
                HandshakeLimits.DEFAULT_MAX_UNAUTHENTICATED, 1, 1_000_000);
        int perSecond = s.intIn("limits.new-connections-per-second", HandshakeLimits.DEFAULT_NEW_PER_SECOND, 0, 1_000_000);
        int burst = s.intIn("limits.new-connection-burst", HandshakeLimits.DEFAULT_NEW_BURST, 1, 1_000_000);
        return new HandshakeLimits(maxUnauthenticated, perSecond, burst,
                s.intIn("limits.ipv4-prefix-length", 32, 8, 32),
                s.intIn("limits.ipv6-prefix-length", 64, 16, 128));
    }

    private static AuthConfig auth(Settings s) throws ConfigException {
        AuthConfig.Mode mode = s.choice("auth.mode", AuthConfig.Mode.class, AuthConfig.Mode.SECRETS);
        Path file = SecretFile.resolve(s, "auth.devices-file");
        if (mode == AuthConfig.Mode.OPEN) {
            return AuthConfig.open();
        }
        Path devices = file == null ? AuthConfig.DEFAULT_DEVICES_FILE : file;
        s.defaultUsed("auth.devices-file", devices.toString());
        try {
            return AuthConfig.secrets(devices,
                    s.fromFiles("auth.devices-file", () -> DeviceSecrets.load(SecretFile.at(devices))));
        } catch (ConfigException e) {
            if (Files.exists(devices)) {
                throw e;
            }
            throw new ConfigException(e.getMessage() + "; list each device and its secret there (docs/SECURITY.md),"
                    + " or set auth.mode = open to accept any device that can reach the port", e);
        }
    }

    private static HttpConfig http(Settings s, ListenConfig listen) throws ConfigException {
        Duration late = s.duration("status.late-after", HttpConfig.DEFAULT_LATE_AFTER, Duration.ofSeconds(1),
                Duration.ofDays(1));
        Duration silent = s.duration("status.silent-after", HttpConfig.DEFAULT_SILENT_AFTER, Duration.ofSeconds(2),
                Duration.ofDays(7));
        if (silent.compareTo(late) <= 0) {
            throw s.invalid("status.silent-after", Settings.format(silent), "must be longer than status.late-after ("
                    + Settings.format(late) + ")");
        }
        AccessToken token = null;
        Path tokenFile = SecretFile.resolve(s, "http.token-file");
        if (tokenFile != null) {
            String raw = s.string("http.token-file", "");
            String line = s.fromFiles("http.token-file", () -> SecretFile.at(tokenFile).firstLine());
            try {
                token = new AccessToken(line.strip());
            } catch (IllegalArgumentException e) {
                throw s.invalid("http.token-file", raw, e.getMessage());
            }
        }
        HttpConfig http = new HttpConfig(
                s.bool("http.enabled", false),
                address(s, "http.address", "127.0.0.1"),
                s.intIn("http.port", HttpConfig.DEFAULT_PORT, 0, 65535),
                late, silent, token);
        boolean overlap = http.address().isAnyLocalAddress() || listen.address().isAnyLocalAddress()
                || http.address().equals(listen.address());
        if (http.enabled() && http.port() != 0 && http.port() == listen.port() && overlap) {
            throw s.invalid("http.port", Integer.toString(http.port()), "must differ from listen.port ("
                    + listen.port() + "), which the sensor clients use on the same address");
        }
        return http;
    }

    private static InetAddress address(Settings s, String key, String fallback) throws ConfigException {
        String raw = s.string(key, fallback);
        String literal = raw.startsWith("[") && raw.endsWith("]") ? raw.substring(1, raw.length() - 1) : raw;
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw s.invalid(key, raw, "must be an IP address or a resolvable host name (0.0.0.0 for all IPv4, :: for all)");
        }
    }

    /** Throws the configuration error for {@code key} if {@code problem} is not {@code null}. */
    private static void refuse(Settings s, String key, String value, String problem) throws ConfigException {
        if (problem != null) {
            throw s.invalid(key, value, problem);
        }
    }

}
