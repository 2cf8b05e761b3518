package io.pigateway.common.systemd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tinylog.Logger;

/**
 * Tells systemd what the program is doing, through the datagram socket named by {@code $NOTIFY_SOCKET}
 * (the sd_notify protocol: newline-separated {@code KEY=value} assignments in one datagram). Without
 * that variable (tests, the demo, a desktop) every call does nothing. It never throws into the
 * caller: a notification that cannot be sent is logged as one WARN line, and further failures are
 * logged at DEBUG until one succeeds again, so a watchdog pinging into a broken socket cannot flood
 * the log.
 */
public final class SystemdNotifier {
    /** Does nothing: for code paths that never run under systemd. */
    public static final SystemdNotifier DISABLED = new SystemdNotifier(null);

    private final String address;
    private final AtomicBoolean failing = new AtomicBoolean();

    private SystemdNotifier(String address) {
        this.address = address;
    }

    /** From {@code $NOTIFY_SOCKET}; disabled if it is unset or empty. */
    public static SystemdNotifier fromEnvironment() {
        return of(System.getenv("NOTIFY_SOCKET"));
    }

    /**
     * For the socket at {@code address}: an absolute path or an abstract name with a leading '@';
     * {@code null} or empty gives a disabled notifier. Any other address (systemd also knows
     * {@code vsock:}) is logged once as a WARN line and disabled.
     */
    public static SystemdNotifier of(String address) {
        if (address == null || address.isEmpty()) {
            return DISABLED;
        }
        try {
            UnixDatagram.sockaddr(address);
        } catch (IOException e) {
            Logger.warn("NOTIFY_SOCKET not used, so systemd will not hear from this process: {}", e.getMessage());
            return DISABLED;
        }
        return new SystemdNotifier(address);
    }

    /** Whether notifications are sent at all. */
    public boolean enabled() {
        return address != null;
    }

    /** {@code READY=1} with a status line: start-up is complete. */
    public boolean ready(String status) {
        return send("READY=1\nSTATUS=" + oneLine(status));
    }

    /** {@code STATUS=...}: shown by {@code systemctl status}. */
    public boolean status(String text) {
        return send("STATUS=" + oneLine(text));
    }

    /** {@code STOPPING=1}: an orderly shutdown has begun. */
    public boolean stopping() {
        return send("STOPPING=1");
    }

    /** {@code WATCHDOG=1}: the process is alive and making progress. */
    public boolean watchdog() {
        return send("WATCHDOG=1");
    }

    /**
     * The process is hung: says what is stuck in the status line and asks systemd to act on its
     * watchdog settings now ({@code WATCHDOG=trigger}, systemd 243 and later) rather than when the
     * watchdog interval runs out; older versions ignore the request and the missing pings do the same.
     */
    boolean hung(String what) {
        return send("STATUS=hung: " + oneLine(what) + "\nWATCHDOG=trigger");
    }

    /**
     * Sends one datagram of newline-separated assignments. Returns whether it was sent; false and
     * nothing else happens when disabled.
     */
    boolean send(String assignments) {
        if (address == null) {
            return false;
        }
        try {
            UnixDatagram.send(address, assignments.getBytes(StandardCharsets.UTF_8));
            if (failing.getAndSet(false)) {
                Logger.info("systemd notifications to {} work again", address);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            String first = assignments.lines().findFirst().orElse("");
            if (!failing.getAndSet(true)) {
                Logger.warn("could not notify systemd ({}): {}", first, e.getMessage());
            } else {
                Logger.debug("could not notify systemd ({}): {}", first, e.getMessage());
            }
            return false;
        }
    }

    /** A status is one assignment: a line break would start another. */
    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    @Override
    public String toString() {
        return address == null ? "systemd notifications off" : "systemd notifications to " + address;
    }
}
