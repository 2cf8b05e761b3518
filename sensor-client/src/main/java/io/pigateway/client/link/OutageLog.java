package io.pigateway.client.link;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * The log of failed connection attempts while no gateway answers, so a gateway down for a night
 * leaves a few lines rather than one per attempt: the first failure as a WARN, then a WARN summary
 * every {@link #SUMMARY_INTERVAL} ("still cannot reach ..., N failed attempts since ..., last error
 * ..."), and one INFO when a handshake succeeds again. Every attempt is still logged at DEBUG.
 * Refusals a device cannot retry and failed TLS handshakes (configuration errors, not a gateway
 * down) are not routed here: they are worth a line each.
 * Used by the link's thread only.
 */
final class OutageLog {
    /** A summary this often tells an operator reading the journal that the client is still trying. */
    static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(5);

    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private int failures;        // failed attempts since the last handshake; 0: no outage
    private Instant since;       // wall-clock time of the outage's first failure, for the operator
    private long startNanos;
    private long lastReportNanos;
    private String lastError;

    OutageLog() {
        this(System::nanoTime, SUMMARY_INTERVAL);
    }

    OutageLog(LongSupplier nanoTime, Duration interval) {
        this.nanoTime = nanoTime;
        this.intervalNanos = interval.toNanos();
    }

    /** A connection attempt failed; {@code line} says which gateway, why, and when the next try is. */
    void failed(String gateways, String line) {
        long now = nanoTime.getAsLong();
        lastError = line;
        failures++;
        if (failures == 1) {
            since = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            startNanos = now;
            lastReportNanos = now;
            Logger.warn("{}; further failures are summarised every {}", line, Texts.seconds(Duration.ofNanos(intervalNanos)));
            return;
        }
        Logger.debug(line);
        if (now - lastReportNanos >= intervalNanos) {
            lastReportNanos = now;
            Logger.warn("still cannot reach gateway {}: {} failed attempts since {} ({} ago); last error: {}", gateways,
                    failures, since, Texts.seconds(Duration.ofNanos(now - startNanos)), lastError);
        }
    }

    /** A handshake succeeded: ends the outage, with one line if there was one. */
    void connected(Object gateway) {
        if (failures > 0) {
            Logger.info("reached gateway {} again after {} failed attempts since {} ({}); last error: {}", gateway,
                    failures, since, Texts.seconds(Duration.ofNanos(nanoTime.getAsLong() - startNanos)), lastError);
        }
        failures = 0;
        lastError = null;
    }
}
