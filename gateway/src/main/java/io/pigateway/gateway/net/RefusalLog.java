package io.pigateway.gateway.net;

import io.pigateway.protocol.NackCode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.tinylog.Logger;

/**
 * Log lines for refused connections that a flood cannot turn into a flood of lines: the first refusal
 * of a kind (NACK code) from an address is logged; repeats within the next minute are only counted.
 * The count is logged when the minute is over ({@link #closeExpired}, which the listener calls every
 * few seconds), or with the first refusal after it if that comes first, and at shutdown
 * ({@link #closeAll}), so a device that gives up after its tenth refusal is not reported as one.
 * A port scanner or a device in a loop with a wrong secret thus costs at most two lines a minute,
 * not one a connection.
 */
final class RefusalLog {
    static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int MAX_KEYS = 10_000;

    private record Key(InetAddress address, NackCode code) { }

    private static final class Window {
        final long startNanos;
        final boolean warn;
        long suppressed;

        Window(long startNanos, boolean warn) {
            this.startNanos = startNanos;
            this.warn = warn;
        }
    }

    private final Map<Key, Window> windows = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    RefusalLog() {
        this(System::nanoTime);
    }

    RefusalLog(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * The line to log for this refusal, or {@code null} if it is one of a run of repeats to count
     * silently. {@code line} is the refusal's own text.
     */
    String line(InetAddress address, NackCode code, String line) {
        return line(address, code, false, line);
    }

    private String line(InetAddress address, NackCode code, boolean warn, String line) {
        long now = nanoClock.getAsLong();
        if (windows.size() >= MAX_KEYS) {
            windows.clear(); // a burst from very many addresses: better some repeated lines than unbounded memory
        }
        Key key = new Key(address, code);
        String[] out = {null};
        windows.compute(key, (k, w) -> {
            if (w == null) {
                out[0] = line;
                return new Window(now, warn);
            }
            if (now - w.startNanos < WINDOW_NANOS) {
                w.suppressed++;
                return w;
            }
            out[0] = w.suppressed == 0 ? line
                    : line + " (and " + w.suppressed + " more " + code + " refusals of " + PeerAddress.host(address)
                    + " in the minute before, not logged)";
            return new Window(now, warn);
        });
        return out[0];
    }

    /**
     * Ends every window whose minute is over; logs and returns one line for each that counted repeats
     * ("12 more AUTHENTICATION_FAILED refusals of 192.0.2.7 in the minute after the one logged, not logged").
     */
    List<String> closeExpired() {
        long now = nanoClock.getAsLong();
        return close(w -> now - w.startNanos >= WINDOW_NANOS, "in the minute after the one logged");
    }

    /** At shutdown: logs and returns the repeats counted in every open window. */
    List<String> closeAll() {
        return close(w -> true, "since the one logged, until shutdown");
    }

    private List<String> close(Predicate<Window> over, String when) {
        List<String> lines = new ArrayList<>();
        for (Key key : windows.keySet()) {
            Window[] ended = {null};
            // Removed under the map's lock for the key, so a refusal counted concurrently lands in this
            // window (and this line) or in a new one, never in neither.
            windows.computeIfPresent(key, (k, w) -> {
                if (!over.test(w)) {
                    return w;
                }
                ended[0] = w;
                return null;
            });
            Window w = ended[0];
            if (w != null && w.suppressed > 0) {
                String line = w.suppressed + " more " + key.code() + " refusals of " + PeerAddress.host(key.address())
                        + " " + when + ", not logged";
                lines.add(line);
                if (w.warn) {
                    Logger.warn(line);
                } else {
                    Logger.info(line);
                }
            }
        }
        return lines;
    }

    /** Logs the refusal at {@code warn} or info level, unless it is a repeat. */
    void log(InetAddress address, NackCode code, boolean warn, String line) {
        String l = line(address, code, warn, line);
        if (l == null) {
            return;
        }
        if (warn) {
            Logger.warn(l);
        } else {
            Logger.info(l);
        }
    }
}
