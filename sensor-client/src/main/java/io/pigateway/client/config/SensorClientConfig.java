package io.pigateway.client.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import io.pigateway.common.Settings;
import io.pigateway.protocol.Identifiers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.tinylog.Logger;

/**
 * The whole sensor-client configuration, validated once at start-up. Every key, its default and its
 * range is read in {@link #from(Settings)}; src/main/dist/sensor-client.conf documents the same.
 */
public record SensorClientConfig(String deviceId, GatewayLinkConfig gateway, ReconnectConfig reconnect, SendConfig send,
                                 SpoolConfig spool, Duration shutdownAckWait, Duration reportInterval,
                                 List<SensorConfig> sensors, DeviceSecret secret) {

    public static final Path DEFAULT_FILE = Path.of("/etc/pi-gateway/sensor-client.conf");
    /** Environment variables with this prefix override keys: PIGW_CLIENT_DEVICE_ID for device.id. */
    public static final String ENVIRONMENT_PREFIX = "PIGW_CLIENT_";
    private static final String SENSOR_PREFIX = "sensor.";
    private static final String FRAME_RENAME = "the client sends frames; a batch was ambiguous";
    /** How often the client reports its own figures (spool depth, sensor failures) as readings. */
    public static final Duration DEFAULT_REPORT_INTERVAL = Duration.ofMinutes(1);

    public SensorClientConfig {
        Identifiers.require("device id", deviceId);
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(reconnect, "reconnect");
        Objects.requireNonNull(send, "send");
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(shutdownAckWait, "shutdownAckWait");
        sensors = List.copyOf(sensors);
        if (sensors.isEmpty()) {
            throw new IllegalArgumentException("at least one sensor is needed");
        }
    }

    /**
     * Reads {@code file}; a non-null {@code deviceIdOverride} (from {@code --device-id}) replaces
     * {@code device.id}, so one file can serve several demo clients.
     */
    public static SensorClientConfig load(Path file, String deviceIdOverride) throws ConfigException {
        return load(file, deviceIdOverride, System.getenv());
    }

    /** As {@link #load(Path, String)}, with {@code environment} in place of the process's. */
    public static SensorClientConfig load(Path file, String deviceIdOverride, Map<String, String> environment)
            throws ConfigException {
        return from(settings(file, deviceIdOverride, environment));
    }

    /** The settings {@link #load} reads: the file, the environment over it, {@code --device-id} over both. */
    public static Settings settings(Path file, String deviceIdOverride, Map<String, String> environment)
            throws ConfigException {
        Settings s = Settings.load(file).withEnvironment(ENVIRONMENT_PREFIX, environment);
        if (deviceIdOverride != null) {
            String problem = Identifiers.problem("device id", deviceIdOverride);
            if (problem != null) {
                throw new ConfigException("--device-id '" + deviceIdOverride + "' is invalid: " + problem);
            }
            s = s.with(Map.of("device.id", deviceIdOverride));
        }
        return s;
    }

    public static SensorClientConfig from(Settings s) throws ConfigException {
        String deviceId = s.requiredString("device.id");
        String problem = Identifiers.problem("device id", deviceId);
        if (problem != null) {
            throw s.invalid("device.id", deviceId, problem);
        }

        List<GatewayAddress> addresses = addresses(s);
        if (addresses.stream().anyMatch(GatewayAddress::isUnix) && s.bool("gateway.tls.enabled", false)) {
            // The gateway's Unix socket never speaks TLS: the socket file's mode decides who may connect.
            throw s.invalid("gateway.addresses", s.string("gateway.addresses", ""), "a unix: address cannot be used"
                    + " with gateway.tls.enabled = true: the gateway's Unix socket is plaintext, protected by its file mode");
        }
        GatewayLinkConfig gateway = new GatewayLinkConfig(
                addresses,
                s.duration("gateway.connect-timeout", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(5)),
                s.duration("gateway.ping-interval", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1)),
                GatewayTlsConfig.from(s));

        Duration backoffMin = s.duration("reconnect.backoff-min", Duration.ofMillis(500), Duration.ofMillis(10),
                Duration.ofMinutes(10));
        Duration backoffMax = s.duration("reconnect.backoff-max", Duration.ofSeconds(30), Duration.ofMillis(10),
                Duration.ofHours(1));
        if (backoffMax.compareTo(backoffMin) < 0) {
            throw s.invalid("reconnect.backoff-max", Settings.format(backoffMax),
                    "must be at least reconnect.backoff-min (" + Settings.format(backoffMin) + ")");
        }

        SendConfig send = new SendConfig(
                s.intIn(s.renamed("send.batch-max-readings", "send.frame-max-readings", FRAME_RENAME), 500, 1, 65535),
                s.duration(s.renamed("send.batch-max-wait", "send.frame-max-wait", FRAME_RENAME), Duration.ofMillis(200), Duration.ZERO,
                        Duration.ofSeconds(10)));
        SpoolConfig spool = spool(s);
        Duration ackWait = s.duration("shutdown.ack-wait", Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(5));

        Duration reportInterval = s.duration("report.interval", DEFAULT_REPORT_INTERVAL, Duration.ZERO, Duration.ofHours(1));
        if (!reportInterval.isZero() && reportInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw s.invalid("report.interval", s.string("report.interval", ""), "must be 0s (off) or from 1s to 1h");
        }

        Path secretFile = SecretFile.resolve(s, "device.secret-file");
        DeviceSecret secret = secretFile == null ? null
                : s.fromFiles("device.secret-file", () -> DeviceSecret.load(secretFile));

        List<SensorConfig> sensors = sensors(s);
        s.rejectUnknownKeys();
        return new SensorClientConfig(deviceId, gateway, new ReconnectConfig(backoffMin, backoffMax), send, spool,
                ackWait, reportInterval, sensors, secret);
    }

    private static SpoolConfig spool(Settings s) throws ConfigException {
        Path dir = s.path("spool.dir", SpoolConfig.DEFAULT_DIR);
        long segment = Sizes.in(s, "spool.segment-bytes", SpoolConfig.DEFAULT_SEGMENT_BYTES,
                SpoolConfig.MIN_SEGMENT_BYTES, SpoolConfig.MAX_SEGMENT_BYTES);
        long max = Sizes.in(s, "spool.max-bytes", SpoolConfig.DEFAULT_MAX_BYTES, 1, 1L << 40);
        String problem = SpoolConfig.segmentsProblem(max, segment);
        if (problem != null) {
            String raw = s.string("spool.max-bytes", null);
            throw raw != null ? s.invalid("spool.max-bytes", raw, problem)
                    : s.invalid("spool.segment-bytes", s.string("spool.segment-bytes", ""), "with the default"
                    + " spool.max-bytes of " + Sizes.format(max) + ", which " + problem);
        }
        return new SpoolConfig(dir, max, segment,
                s.choice("spool.full-policy", SpoolConfig.FullPolicy.class, SpoolConfig.FullPolicy.DROP_OLDEST),
                s.duration("spool.sync-interval", SpoolConfig.DEFAULT_SYNC_INTERVAL, Duration.ZERO, Duration.ofMinutes(10)),
                s.intIn("spool.sync-every", SpoolConfig.DEFAULT_SYNC_EVERY, 1, 1_000_000));
    }

    private static List<GatewayAddress> addresses(Settings s) throws ConfigException {
        String raw = s.requiredString("gateway.addresses");
        List<GatewayAddress> result = new ArrayList<>();
        for (String item : s.list("gateway.addresses", List.of())) {
            try {
                result.add(GatewayAddress.parse(item));
            } catch (IllegalArgumentException e) {
                throw s.invalid("gateway.addresses", raw, e.getMessage());
            }
        }
        if (result.isEmpty()) {
            throw s.invalid("gateway.addresses", raw, "must list at least one host:port or unix:/path");
        }
        return result;
    }

    /** Sensor keys are sensor.NAME.PROPERTY; a name may itself contain dots, a property never does. */
    private static List<SensorConfig> sensors(Settings s) throws ConfigException {
        TreeSet<String> names = new TreeSet<>();
        for (String key : s.keysStartingWith(SENSOR_PREFIX)) {
            int lastDot = key.lastIndexOf('.');
            if (lastDot > SENSOR_PREFIX.length()) {
                names.add(key.substring(SENSOR_PREFIX.length(), lastDot));
            }
        }
        List<SensorConfig> sensors = new ArrayList<>();
        for (String name : names) {
            sensors.add(SensorConfigReader.read(s, name));
        }
        if (sensors.isEmpty()) {
            throw new ConfigException(s.source() + ": no sensor is configured; add at least sensor.<name>.type"
                    + " (" + SensorType.keys() + ")");
        }
        SensorConfigReader.checkConflicts(s.source(), sensors);
        return sensors;
    }

    /** A copy for another device, e.g. several demo clients from one file. */
    public SensorClientConfig withDeviceId(String id) {
        return new SensorClientConfig(id, gateway, reconnect, send, spool, shutdownAckWait, reportInterval, sensors, secret);
    }

    /** Every effective value (defaults included) in the file's own syntax; loading it gives this config back. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        line(b, "device.id", deviceId);
        if (secret != null) {
            line(b, "device.secret-file", secret.file().toString());
        }
        line(b, "gateway.addresses", String.join(", ", gateway.addresses().stream().map(GatewayAddress::toString).toList()));
        line(b, "gateway.connect-timeout", Settings.format(gateway.connectTimeout()));
        line(b, "gateway.ping-interval", Settings.format(gateway.pingInterval()));
        gateway.tls().describe((key, value) -> line(b, key, value));
        line(b, "reconnect.backoff-min", Settings.format(reconnect.backoffMin()));
        line(b, "reconnect.backoff-max", Settings.format(reconnect.backoffMax()));
        line(b, "send.frame-max-readings", Integer.toString(send.frameMaxReadings()));
        line(b, "send.frame-max-wait", Settings.format(send.frameMaxWait()));
        line(b, "spool.dir", spool.dir().toString());
        line(b, "spool.max-bytes", Sizes.format(spool.maxBytes()));
        line(b, "spool.segment-bytes", Sizes.format(spool.segmentBytes()));
        line(b, "spool.full-policy", spool.fullPolicy().key());
        line(b, "spool.sync-interval", Settings.format(spool.syncInterval()));
        line(b, "spool.sync-every", Integer.toString(spool.syncEvery()));
        line(b, "shutdown.ack-wait", Settings.format(shutdownAckWait));
        line(b, "report.interval", Settings.format(reportInterval));
        for (SensorConfig sc : sensors) {
            SensorConfigReader.describe(sc, (key, value) -> line(b, key, value));
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String key, String value) {
        if (value.isEmpty()) {
            return; // the file cannot say "empty" (an empty value is refused): leaving the key out says it
        }
        b.append(key).append(" = ").append(value).append('\n');
    }
}
