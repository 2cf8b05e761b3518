package io.pigateway.common.systemd;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * Pings systemd's watchdog ({@code WATCHDOG=1}) every half interval while the program's
 * {@link Liveness} check says nothing is hung. Active only when systemd asked for it:
 * {@code WATCHDOG_USEC} is set and {@code WATCHDOG_PID} is absent or this process's pid.
 *
 * <p>When the check names something stuck, the watchdog logs one ERROR saying what, sets the status
 * line, asks systemd to act now ({@code WATCHDOG=trigger}) and stops pinging for good, so systemd
 * kills and restarts the process ({@code Restart=on-failure} or {@code on-watchdog}). It does not
 * resume: a thread that stalled for longer than its limits allow is not trusted to have recovered.
 */
public final class Watchdog implements AutoCloseable {
    private final SystemdNotifier notifier;
    private final Liveness liveness;
    private final Duration interval;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread thread;
    private volatile String hung;

    private Watchdog(SystemdNotifier notifier, Liveness liveness, Duration interval) {
        this.notifier = notifier;
        this.liveness = liveness;
        this.interval = interval;
        this.thread = interval == null ? null
                : Thread.ofPlatform().name("systemd-watchdog").daemon().start(this::run);
    }

    /** Starts pinging if the environment asks for it; otherwise returns an inactive watchdog. */
    public static Watchdog start(SystemdNotifier notifier, Liveness liveness) {
        return start(notifier, liveness, System.getenv(), ProcessHandle.current().pid());
    }

    /** As {@link #start(SystemdNotifier, Liveness)}, reading {@code WATCHDOG_USEC}/{@code WATCHDOG_PID} from {@code env}. */
    public static Watchdog start(SystemdNotifier notifier, Liveness liveness, Map<String, String> env, long pid) {
        return new Watchdog(notifier, liveness, notifier.enabled() ? interval(env, pid) : null);
    }

    /**
     * The interval systemd expects pings within, or null if it expects none from this process. A
     * malformed value is one WARN line and no watchdog: better than pinging at a guessed rate.
     */
    static Duration interval(Map<String, String> env, long pid) {
        String usec = env.get("WATCHDOG_USEC");
        if (usec == null || usec.isEmpty()) {
            return null;
        }
        String watchdogPid = env.get("WATCHDOG_PID");
        if (watchdogPid != null && !watchdogPid.isEmpty() && !watchdogPid.equals(Long.toString(pid))) {
            return null; // meant for another process (e.g. a wrapper that started us without exec)
        }
        try {
            long micros = Long.parseLong(usec);
            if (micros > 0) {
                return Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(micros));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        Logger.warn("WATCHDOG_USEC='{}' is not a positive number of microseconds; not pinging systemd's watchdog",
                usec);
        return null;
    }

    /** Whether this watchdog pings (systemd asked for it). */
    public boolean active() {
        return thread != null;
    }

    /** The watchdog interval systemd set, if active. */
    public Optional<Duration> interval() {
        return Optional.ofNullable(interval);
    }

    /** What the liveness check named when it stopped pinging, if it did. */
    public Optional<String> hung() {
        return Optional.ofNullable(hung);
    }

    private void run() {
        // Half the interval, as sd_watchdog_enabled(3) recommends: one late ping is not yet a restart.
        long periodNanos = interval.toNanos() / 2;
        try {
            do {
                Optional<String> stuck = check();
                if (stuck.isPresent()) {
                    hung = stuck.get();
                    Logger.error("watchdog: {}; no longer pinging systemd's watchdog (interval {} ms), so systemd"
                            + " restarts this process", hung, interval.toMillis());
                    notifier.hung(hung);
                    return;
                }
                notifier.watchdog();
            } while (!closed.await(periodNanos, TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A check that fails is itself a fault worth a restart; a restart loop would show it at once. */
    private Optional<String> check() {
        try {
            return liveness.stuck(interval);
        } catch (RuntimeException e) {
            return Optional.of("the liveness check itself failed: " + e);
        }
    }

    /** Stops pinging (before an orderly shutdown, when systemd no longer watches). Idempotent. */
    @Override
    public void close() {
        closed.countDown();
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
