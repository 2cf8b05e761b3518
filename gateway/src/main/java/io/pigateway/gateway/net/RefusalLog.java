package io.pigateway.gateway.net;

import io.pigateway.protocol.NackCode;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * Log lines for refused connections that a flood cannot turn into a flood of lines: the first refusal
 * of a kind (NACK code) from an address is logged; repeats within the next minute are only counted,
 * and the first one after it is logged with that count. A port scanner or a device in a loop with
 * a wrong secret thus costs one line a minute, not one a connection.
 */
final class RefusalLog {
    static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int MAX_KEYS = 10_000;

    private record Key(InetAddress address, NackCode code) { }

    private static final class Window {
        long startNanos;
        long suppressed;

        Window(long startNanos) {
            this.startNanos = startNanos;
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
        long now = nanoClock.getAsLong();
        if (windows.size() >= MAX_KEYS) {
            windows.clear(); // a burst from very many addresses: better some repeated lines than unbounded memory
        }
        Key key = new Key(address, code);
        String[] out = {null};
        windows.compute(key, (k, w) -> {
            if (w == null) {
                out[0] = line;
                return new Window(now);
            }
            if (now - w.startNanos < WINDOW_NANOS) {
                w.suppressed++;
                return w;
            }
            out[0] = w.suppressed == 0 ? line
                    : line + " (and " + w.suppressed + " more " + code + " refusals of " + address.getHostAddress()
                    + " in the minute before, not logged)";
            return new Window(now);
        });
        return out[0];
    }

    /** Logs the refusal at {@code warn} or info level, unless it is a repeat. */
    void log(InetAddress address, NackCode code, boolean warn, String line) {
        String l = line(address, code, line);
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
