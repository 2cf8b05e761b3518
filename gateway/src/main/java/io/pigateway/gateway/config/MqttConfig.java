package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.common.Settings;
import io.pigateway.common.tls.TlsContext;
import io.pigateway.common.tls.TlsProtocols;
import io.pigateway.common.tls.TrustedCertificates;
import io.pigateway.gateway.ingest.lineprotocol.Precision;
import io.pigateway.gateway.ingest.mqtt.TopicPattern;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The MQTT input ({@code ingest.mqtt.*}, docs/INGEST.md (MQTT)): the gateway subscribes at a broker with
 * QoS 1 and a persistent session and acknowledges a message only after its readings are committed.
 * Off unless {@code ingest.mqtt.broker} is set.
 *
 * @param broker         {@code tcp://host:port} or {@code ssl://host:port}; {@code null}: the input is off
 * @param clientId       the session's name at the broker: it must stay the same across restarts, or the
 *                       broker forgets the messages it kept for the gateway
 * @param topics         where device and sensor sit in a topic ({@link TopicPattern})
 * @param user           the broker user, or {@code null} for none
 * @param passwordFile   the broker password (first line of a secret file), or {@code null}
 * @param password       read from {@code passwordFile} at start-up, or {@code null}
 * @param caFile         CAs that certify the broker (PEM); {@code null}: Java's default CAs
 * @param tls            the TLS set-up for {@code ssl://}, else {@code null}
 * @param keepAlive      MQTT keep-alive: how soon a dead connection is noticed
 * @param connectTimeout how long one connection attempt may take
 * @param reconnectMax   the longest pause between connection attempts (they start at 1 s and double)
 * @param maxPending     messages received and not yet stored before the gateway stops reading from the broker
 * @param maxPayload     the largest payload handled; a larger one is refused (and acknowledged)
 * @param precision      the unit of line protocol timestamps in payloads (Telegraf's default: ns)
 */
public record MqttConfig(URI broker, String clientId, List<TopicPattern> topics, String user, Path passwordFile,
                         String password, Path caFile, TlsContext tls, Duration keepAlive, Duration connectTimeout,
                         Duration reconnectMax, int maxPending, int maxPayload, Precision precision) {
    public static final String DEFAULT_CLIENT_ID = "pi-gateway";
    public static final String DEFAULT_TOPIC = "pi/{device}/{sensor}";
    private static final List<String> OTHER_KEYS = List.of("ingest.mqtt.client-id", "ingest.mqtt.topics",
            "ingest.mqtt.user", "ingest.mqtt.password-file", "ingest.mqtt.tls.ca-file", "ingest.mqtt.keep-alive",
            "ingest.mqtt.connect-timeout", "ingest.mqtt.reconnect-max", "ingest.mqtt.max-pending",
            "ingest.mqtt.max-payload", "ingest.mqtt.precision");
    public static final MqttConfig OFF = new MqttConfig(null, DEFAULT_CLIENT_ID,
            List.of(TopicPattern.parse(DEFAULT_TOPIC)), null, null, null, null, null, Duration.ofSeconds(30),
            Duration.ofSeconds(10), Duration.ofSeconds(30), 1000, 65_536, Precision.NANOSECONDS);

    public MqttConfig {
        Objects.requireNonNull(clientId, "clientId");
        topics = List.copyOf(topics);
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(reconnectMax, "reconnectMax");
        Objects.requireNonNull(precision, "precision");
    }

    public boolean enabled() {
        return broker != null;
    }

    /** The broker as {@code host:port} for log lines. */
    public String brokerAddress() {
        return broker == null ? "(none)" : broker.getHost() + ":" + broker.getPort();
    }

    /** For tests: this input on {@code broker} with the other settings as they are. */
    public MqttConfig withBroker(URI newBroker) {
        return new MqttConfig(newBroker, clientId, topics, user, passwordFile, password, caFile, tls, keepAlive,
                connectTimeout, reconnectMax, maxPending, maxPayload, precision);
    }

    public static MqttConfig from(Settings s) throws ConfigException {
        String rawBroker = s.string("ingest.mqtt.broker", null);
        if (rawBroker == null) {
            // Off: the other keys may stay in the file, ready for a broker; they are not checked.
            for (String key : OTHER_KEYS) {
                s.string(key, null);
            }
            return OFF;
        }
        String clientId = s.string("ingest.mqtt.client-id", DEFAULT_CLIENT_ID);
        List<String> rawTopics = s.list("ingest.mqtt.topics", List.of(DEFAULT_TOPIC));
        String user = s.string("ingest.mqtt.user", null);
        Path passwordFile = SecretFile.resolve(s, "ingest.mqtt.password-file");
        Path caFile = s.path("ingest.mqtt.tls.ca-file", null);
        Duration keepAlive = s.duration("ingest.mqtt.keep-alive", OFF.keepAlive, Duration.ofSeconds(5),
                Duration.ofMinutes(30));
        Duration connectTimeout = s.duration("ingest.mqtt.connect-timeout", OFF.connectTimeout, Duration.ofSeconds(1),
                Duration.ofMinutes(5));
        Duration reconnectMax = s.duration("ingest.mqtt.reconnect-max", OFF.reconnectMax, Duration.ofSeconds(1),
                Duration.ofMinutes(30));
        int maxPending = s.intIn("ingest.mqtt.max-pending", OFF.maxPending, 1, 1_000_000);
        int maxPayload = s.intIn("ingest.mqtt.max-payload", OFF.maxPayload, 16, 16 * 1024 * 1024);
        String rawPrecision = s.string("ingest.mqtt.precision", "ns");
        Precision precision = Precision.of(rawPrecision);
        if (precision == null) {
            throw s.invalid("ingest.mqtt.precision", rawPrecision, "one of ns, us, ms, s");
        }
        URI broker = broker(s, rawBroker);
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        if (id.length > 65_535 || clientId.chars().anyMatch(c -> c < 0x21 || c == 0x7F)) {
            throw s.invalid("ingest.mqtt.client-id", clientId, "printable characters without spaces, at most 65535 bytes");
        }
        List<TopicPattern> topics = new ArrayList<>();
        for (String raw : rawTopics) {
            try {
                topics.add(TopicPattern.parse(raw));
            } catch (IllegalArgumentException e) {
                throw s.invalid("ingest.mqtt.topics", raw, e.getMessage() + " (e.g. " + DEFAULT_TOPIC + ")");
            }
        }
        if (topics.isEmpty()) {
            throw s.invalid("ingest.mqtt.topics", String.join(",", rawTopics), "at least one topic pattern");
        }
        if (passwordFile != null && user == null) {
            throw new ConfigException(s.source() + ": key 'ingest.mqtt.user' is required with ingest.mqtt.password-file");
        }
        String password = passwordFile == null ? null
                : s.fromFiles("ingest.mqtt.password-file", () -> SecretFile.at(passwordFile).firstLine());
        boolean ssl = broker.getScheme().equals("ssl");
        if (caFile != null && !ssl) {
            throw s.invalid("ingest.mqtt.tls.ca-file", caFile.toString(), "only for a broker at ssl://... (ingest.mqtt.broker is "
                    + rawBroker + ")");
        }
        TlsContext tls = null;
        if (ssl) {
            Instant now = Instant.now();
            TrustedCertificates cas = caFile == null ? null
                    : s.fromFiles("ingest.mqtt.tls.ca-file", () -> TrustedCertificates.fromPem(caFile, now));
            tls = s.fromFiles("ingest.mqtt.tls", () -> TlsContext.client(cas, null, TlsProtocols.DEFAULT));
        }
        return new MqttConfig(broker, clientId, topics, user, passwordFile, password, caFile, tls, keepAlive,
                connectTimeout, reconnectMax, maxPending, maxPayload, precision);
    }

    private static URI broker(Settings s, String raw) throws ConfigException {
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw s.invalid("ingest.mqtt.broker", raw, "not a URI: " + e.getReason() + " (e.g. tcp://127.0.0.1:1883)");
        }
        if (!"tcp".equals(uri.getScheme()) && !"ssl".equals(uri.getScheme())) {
            throw s.invalid("ingest.mqtt.broker", raw, "tcp://host:port or ssl://host:port");
        }
        if (uri.getHost() == null || uri.getPort() < 1 || (uri.getPath() != null && !uri.getPath().isEmpty())
                || uri.getUserInfo() != null || uri.getQuery() != null) {
            throw s.invalid("ingest.mqtt.broker", raw, "tcp://host:port or ssl://host:port with a port and nothing"
                    + " else (the user is ingest.mqtt.user, the password ingest.mqtt.password-file)");
        }
        return uri;
    }

    @Override
    public String toString() {
        return "MqttConfig[broker=" + broker + ", clientId=" + clientId + ", topics=" + topics + ", user=" + user
                + ", passwordFile=" + passwordFile + ", caFile=" + caFile + "]";
    }
}
