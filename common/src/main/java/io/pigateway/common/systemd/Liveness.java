package io.pigateway.common.systemd;

import java.time.Duration;
import java.util.Optional;

/**
 * A program's own answer to "is anything hung?", asked by the {@link Watchdog} before each ping.
 * Hung means a thread stopped making progress; waiting for an unreachable peer or database is not
 * hung, as long as the waiting thread is still doing what it should (retrying, backing off).
 */
@FunctionalInterface
public interface Liveness {
    /**
     * What has stopped making progress, in words for the log ("store-writer-2 has been in one
     * transaction for 95 s"), or empty if nothing has.
     *
     * @param interval systemd's watchdog interval ({@code WATCHDOG_USEC}): how long a stall may last
     *                 before systemd would restart the process anyway; checks allow at least this
     */
    Optional<String> stuck(Duration interval);
}
