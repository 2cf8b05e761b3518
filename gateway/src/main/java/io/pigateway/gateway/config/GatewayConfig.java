package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.common.logging.LogLevel;
import io.pigateway.gateway.auth.AuthConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The whole gateway configuration, validated once at start-up. Each block reads its own keys, with
 * their defaults and ranges, in its {@code from(Settings)} ({@link ListenConfig#from}, {@link LimitsConfig#from},
 * ...); this record reads the few keys of no block. docs/CONFIGURATION.md lists the same.
 */
public record GatewayConfig(ListenConfig listen, LimitsConfig limits, StoreConfig store, WriterConfig writer,
                            Duration statsInterval, boolean logReadings, Duration shutdownTimeout, AuthConfig auth,
                            HttpConfig http, TlsConfig tls, IngestConfig ingest) {

    public static final Path DEFAULT_FILE = Path.of("/etc/pi-gateway/gateway.conf");
    /** Environment variables with this prefix override keys: PIGW_GATEWAY_LISTEN_PORT for listen.port. */
    public static final String ENVIRONMENT_PREFIX = "PIGW_GATEWAY_";

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
        Objects.requireNonNull(ingest, "ingest");
    }

    public GatewayConfig withTls(TlsConfig newTls) {
        return new GatewayConfig(listen, limits, store, writer, statsInterval, logReadings, shutdownTimeout, auth, http,
                newTls, ingest);
    }

    public GatewayConfig withHttp(HttpConfig newHttp) {
        return new GatewayConfig(listen, limits, store, writer, statsInterval, logReadings, shutdownTimeout, auth, newHttp, tls, ingest);
    }

    public GatewayConfig withStore(StoreConfig newStore) {
        return new GatewayConfig(listen, limits, newStore, writer, statsInterval, logReadings, shutdownTimeout, auth, http, tls, ingest);
    }

    public GatewayConfig withLimits(LimitsConfig newLimits) {
        return new GatewayConfig(listen, newLimits, store, writer, statsInterval, logReadings, shutdownTimeout, auth, http, tls, ingest);
    }

    public GatewayConfig withWriter(WriterConfig newWriter) {
        return new GatewayConfig(listen, limits, store, newWriter, statsInterval, logReadings, shutdownTimeout, auth, http, tls, ingest);
    }

    public GatewayConfig withAuth(AuthConfig newAuth) {
        return new GatewayConfig(listen, limits, store, writer, statsInterval, logReadings, shutdownTimeout, newAuth, http, tls, ingest);
    }

    public GatewayConfig withIngest(IngestConfig newIngest) {
        return new GatewayConfig(listen, limits, store, writer, statsInterval, logReadings, shutdownTimeout, auth, http, tls,
                newIngest);
    }

    public GatewayConfig withListen(ListenConfig newListen) {
        return new GatewayConfig(newListen, limits, store, writer, statsInterval, logReadings, shutdownTimeout, auth, http, tls, ingest);
    }

    public static GatewayConfig from(Settings s) throws ConfigException {
        ListenConfig listen = ListenConfig.from(s);

        LimitsConfig limits = LimitsConfig.from(s);

        StoreConfig store = StoreConfig.from(s);
        WriterConfig writer = WriterConfig.from(s);

        Duration stats = s.duration("log.stats-interval", Duration.ofSeconds(60), Duration.ZERO, Duration.ofHours(24));
        boolean logReadings = s.bool("log.readings", false);
        Duration shutdown = s.duration("shutdown.timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5));
        AuthConfig auth = AuthConfig.from(s);
        s.choice("log.level", LogLevel.class, LogLevel.INFO); // applied by GatewayMain before logging starts
        HttpConfig http = HttpConfig.from(s, listen);
        TlsConfig tls = TlsConfig.from(s);
        IngestConfig ingest = IngestConfig.from(s, auth.mode());
        s.rejectUnknownKeys();
        return new GatewayConfig(listen, limits, store, writer, stats, logReadings, shutdown, auth, http, tls, ingest);
    }
}
