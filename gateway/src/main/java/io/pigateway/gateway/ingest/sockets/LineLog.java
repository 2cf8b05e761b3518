package io.pigateway.gateway.ingest.sockets;

import io.pigateway.common.logging.LogLimiter;
import java.time.Duration;
import org.tinylog.Logger;

/**
 * The log lines of one line-protocol socket input, at most {@link #PER_MINUTE} a minute for each of
 * refused and dropped lines: a sender in a loop of bad lines must not flood the journal, and the
 * counters ({@code pigw_ingest_lines_total}) have the totals. A line after some were held back says
 * how many.
 */
final class LineLog {
    static final int PER_MINUTE = 10;

    private final String input;
    private final LogLimiter refused = new LogLimiter(PER_MINUTE, Duration.ofMinutes(1), System::nanoTime);
    private final LogLimiter dropped = new LogLimiter(PER_MINUTE, Duration.ofMinutes(1), System::nanoTime);

    LineLog(String input) {
        this.input = input;
    }

    /** A line refused for its content or its source: the sender must change. */
    void refused(String peer, String what) {
        String note = refused.admit();
        if (note != null) {
            Logger.warn("{} from {}: refused {}; no answer goes back over {}{}", input, peer, what, input, note);
        }
    }

    /** Lines the gateway could not take (store, queue, rate): they are lost, as the sender gets no answer. */
    void dropped(String peer, String what) {
        String note = dropped.admit();
        if (note != null) {
            Logger.warn("{} from {}: dropped {}{}", input, peer, what, note);
        }
    }
}
