package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.common.Settings;
import io.pigateway.protocol.Frames;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The whole gateway configuration, validated once at start-up. Every key, its default and its range
 * is read in {@link #from(Settings)}; docs/CONFIGURATION.md lists the same.
 */
public record GatewayConfig(ListenConfig listen, LimitsConfig limits, StoreConfig store, WriterConfig writer,
                            Duration statsInterval, boolean logReadings, Duration shutdownTimeout, TlsConfig tls) {

    public static final Path DEFAULT_FILE = Path.of("/etc/pi-gateway/gateway.conf");

    public GatewayConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(statsInterval, "statsInterval");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(tls, "tls");
    }

    /** Without TLS. */
    public GatewayConfig(ListenConfig listen, LimitsConfig limits, StoreConfig store, WriterConfig writer,
                         Duration statsInterval, boolean logReadings, Duration shutdownTimeout) {
        this(listen, limits, store, writer, statsInterval, logReadings, shutdownTimeout, TlsConfig.DISABLED);
    }

    public GatewayConfig withStore(StoreConfig newStore) {
        return new GatewayConfig(listen, limits, newStore, writer, statsInterval, logReadings, shutdownTimeout, tls);
    }

    public GatewayConfig withLimits(LimitsConfig newLimits) {
        return new GatewayConfig(listen, newLimits, store, writer, statsInterval, logReadings, shutdownTimeout, tls);
    }

    public GatewayConfig withWriter(WriterConfig newWriter) {
        return new GatewayConfig(listen, limits, store, newWriter, statsInterval, logReadings, shutdownTimeout, tls);
    }

    public GatewayConfig withTls(TlsConfig newTls) {
        return new GatewayConfig(listen, limits, store, writer, statsInterval, logReadings, shutdownTimeout, newTls);
    }

    /** Loopback, a free port, an embedded store in {@code dir}: for tests. */
    public static GatewayConfig forTests(Path dir) {
        return new GatewayConfig(new ListenConfig(InetAddress.getLoopbackAddress(), 0, 128), LimitsConfig.defaults(),
                StoreConfig.embedded(dir.resolve("store")), WriterConfig.defaults(), Duration.ZERO, false,
                Duration.ofSeconds(10));
    }

    public static GatewayConfig from(Settings s) throws ConfigException {
        ListenConfig listen = new ListenConfig(
                address(s, "listen.address", "0.0.0.0"),
                s.intIn("listen.port", 4711, 0, 65535),
                s.intIn("listen.backlog", 128, 1, 65535));

        LimitsConfig limits = new LimitsConfig(
                s.intIn("limits.max-connections", 1000, 1, 1_000_000),
                s.intIn("limits.max-frame-bytes", Frames.DEFAULT_MAX_PAYLOAD, 64, Frames.PROTOCOL_MAX_PAYLOAD),
                s.intIn("limits.max-readings-per-frame", 4096, 1, 65535),
                s.duration("limits.handshake-timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(10)),
                s.duration("limits.idle-timeout", Duration.ofSeconds(120), Duration.ofSeconds(1), Duration.ofHours(24)),
                s.duration("limits.queue-wait", Duration.ofSeconds(30), Duration.ofMillis(10), Duration.ofMinutes(10)));

        StoreConfig.Kind kind = s.choice("store.type", StoreConfig.Kind.class, StoreConfig.Kind.EMBEDDED);
        StoreConfig.MigrationMode migrate = s.choice("store.migrate", StoreConfig.MigrationMode.class,
                StoreConfig.MigrationMode.APPLY);
        Duration connectTimeout = s.duration("store.connect-timeout", Duration.ofSeconds(10), Duration.ofMillis(100),
                Duration.ofMinutes(5));
        Path embeddedPath = s.path("store.embedded-path", Path.of("data/pi-gateway"));
        StoreConfig store;
        if (kind == StoreConfig.Kind.EMBEDDED) {
            store = new StoreConfig(kind, embeddedPath, null, 0, null, null, null, "", migrate, connectTimeout);
        } else {
            String host = s.requiredString("store.host");
            int port = s.intIn("store.port", 3306, 1, 65535);
            String database = s.string("store.database", "pi");
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
            String options = s.string("store.jdbc-options", "");
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
                s.duration("writer.batch-max-wait", Duration.ofMillis(10), Duration.ZERO, Duration.ofSeconds(10)),
                queue,
                s.duration("writer.retry-backoff-max", Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMinutes(10)));

        Duration stats = s.duration("log.stats-interval", Duration.ofSeconds(60), Duration.ZERO, Duration.ofHours(24));
        boolean logReadings = s.bool("log.readings", false);
        Duration shutdown = s.duration("shutdown.timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5));
        s.string("log.level", "info"); // read by GatewayMain before logging starts; accepted here
        TlsConfig tls = TlsConfig.from(s);
        s.rejectUnknownKeys();
        return new GatewayConfig(listen, limits, store, writer, stats, logReadings, shutdown, tls);
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
}
