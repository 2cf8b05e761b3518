package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * The inputs other than the binary protocol (docs/INGEST.md): each is off unless configured. This
 * block owns its keys ({@code ingest.*}), their defaults and their checks.
 *
 * @param commitTimeout how long an input waits for its readings' commit before it answers "unavailable"
 *                      ({@code ingest.commit-timeout})
 * @param lineProtocol  how line protocol is read and mapped, for every input that takes it
 * @param lineSockets   line protocol over TCP and UDP ({@code ingest.line-tcp.*}, {@code ingest.line-udp.*})
 */
public record IngestConfig(Duration commitTimeout,
                           LineProtocolConfig lineProtocol,
                           LineSocketConfig lineSockets) {
    public static final Duration DEFAULT_COMMIT_TIMEOUT = Duration.ofSeconds(10);

    public IngestConfig {
        Objects.requireNonNull(commitTimeout, "commitTimeout");
        Objects.requireNonNull(lineProtocol, "lineProtocol");
        Objects.requireNonNull(lineSockets, "lineSockets");
    }

    /** Every input off. */
    public static IngestConfig defaults() {
        return new IngestConfig(DEFAULT_COMMIT_TIMEOUT,
                LineProtocolConfig.defaults(),
                LineSocketConfig.disabled());
    }

    public static IngestConfig from(Settings s) throws ConfigException {
        return new IngestConfig(s.duration("ingest.commit-timeout", DEFAULT_COMMIT_TIMEOUT, Duration.ofMillis(100),
                Duration.ofMinutes(5)),
                LineProtocolConfig.from(s),
                // auth.mode as GatewayConfig reads it (same key, same default): the sockets need trust without it
                LineSocketConfig.from(s, s.choice("auth.mode", AuthConfig.Mode.class, AuthConfig.Mode.SECRETS)
                        == AuthConfig.Mode.OPEN));
    }

    public IngestConfig withLineSockets(LineSocketConfig sockets) {
        return new IngestConfig(commitTimeout, lineProtocol, sockets);
    }

    public IngestConfig withLineProtocol(LineProtocolConfig newLineProtocol) {
        return new IngestConfig(commitTimeout, newLineProtocol, lineSockets);
    }
}
