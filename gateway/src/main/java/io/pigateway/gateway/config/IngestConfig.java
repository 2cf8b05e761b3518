package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.gateway.auth.AuthConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * The inputs other than the binary protocol (docs/INGEST.md): each is off unless configured. This
 * block owns its keys ({@code ingest.*}), their defaults and their checks.
 *
 * @param commitTimeout how long an input waits for its readings' commit before it answers "unavailable"
 *                      ({@code ingest.commit-timeout})
 * @param lineProtocol  how line protocol is read and mapped, for every input that takes it
 * @param http          the ingest HTTP server ({@code ingest.http.*})
 * @param mqtt          the MQTT subscriber ({@code ingest.mqtt.*})
 * @param lineSockets   line protocol over TCP and UDP ({@code ingest.line-tcp.*}, {@code ingest.line-udp.*})
 */
public record IngestConfig(Duration commitTimeout,
                           LineProtocolConfig lineProtocol,
                           IngestHttpConfig http,
                           MqttConfig mqtt,
                           LineSocketConfig lineSockets) {
    public static final Duration DEFAULT_COMMIT_TIMEOUT = Duration.ofSeconds(10);

    public IngestConfig {
        Objects.requireNonNull(commitTimeout, "commitTimeout");
        Objects.requireNonNull(lineProtocol, "lineProtocol");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(mqtt, "mqtt");
        Objects.requireNonNull(lineSockets, "lineSockets");
    }

    /** Every input off. */
    public static IngestConfig defaults() {
        return new IngestConfig(DEFAULT_COMMIT_TIMEOUT, LineProtocolConfig.defaults(), IngestHttpConfig.disabled(),
                MqttConfig.OFF, LineSocketConfig.disabled());
    }

    public IngestConfig withCommitTimeout(Duration newCommitTimeout) {
        return new IngestConfig(newCommitTimeout, lineProtocol, http, mqtt, lineSockets);
    }

    public IngestConfig withHttp(IngestHttpConfig newHttp) {
        return new IngestConfig(commitTimeout, lineProtocol, newHttp, mqtt, lineSockets);
    }

    public IngestConfig withLineProtocol(LineProtocolConfig newLineProtocol) {
        return new IngestConfig(commitTimeout, newLineProtocol, http, mqtt, lineSockets);
    }

    public IngestConfig withMqtt(MqttConfig newMqtt) {
        return new IngestConfig(commitTimeout, lineProtocol, http, newMqtt, lineSockets);
    }

    public IngestConfig withLineSockets(LineSocketConfig sockets) {
        return new IngestConfig(commitTimeout, lineProtocol, http, mqtt, sockets);
    }

    /** The {@code ingest.*} keys; {@code auth}, as read already, decides whether the line sockets need trusted sources. */
    public static IngestConfig from(Settings s, AuthConfig.Mode auth) throws ConfigException {
        return new IngestConfig(s.duration("ingest.commit-timeout", DEFAULT_COMMIT_TIMEOUT, Duration.ofMillis(100),
                Duration.ofMinutes(5)),
                LineProtocolConfig.from(s),
                IngestHttpConfig.from(s),
                MqttConfig.from(s),
                LineSocketConfig.from(s, auth == AuthConfig.Mode.OPEN));
    }
}
