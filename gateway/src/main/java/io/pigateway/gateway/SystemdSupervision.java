package io.pigateway.gateway;

import io.pigateway.common.systemd.SystemdNotifier;
import io.pigateway.common.systemd.Watchdog;
import io.pigateway.gateway.store.Store;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The gateway as a systemd service (Type=notify): READY=1 with a status line once it is started,
 * STATUS changes while the database is failing, watchdog pings while nothing is hung, STOPPING=1
 * when the shutdown begins. Without NOTIFY_SOCKET all of it does nothing.
 */
public final class SystemdSupervision {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final SystemdNotifier notifier;
    private final Watchdog watchdog;

    private SystemdSupervision(SystemdNotifier notifier, Watchdog watchdog) {
        this.notifier = notifier;
        this.watchdog = watchdog;
    }

    /** Call once {@link Gateway#start} has returned: the port is bound and the store is open. */
    public static SystemdSupervision ready(Gateway gateway, SystemdNotifier notifier) {
        String ready = gateway.status();
        gateway.store().onAvailability(new Store.AvailabilityListener() {
            @Override
            public void failing(String cause) {
                notifier.status(ready + "; the database has been failing since "
                        + LocalTime.now(ZoneOffset.UTC).format(CLOCK) + " UTC (" + cause
                        + "), refusing readings with STORE_UNAVAILABLE");
            }

            @Override
            public void available() {
                notifier.status(ready);
            }
        });
        notifier.ready(ready);
        return new SystemdSupervision(notifier, Watchdog.start(notifier, gateway::stuck));
    }

    /** Call when the shutdown begins, before the gateway closes. */
    public void stopping() {
        watchdog.close(); // systemd stops watching once it hears STOPPING=1
        notifier.stopping();
    }
}
