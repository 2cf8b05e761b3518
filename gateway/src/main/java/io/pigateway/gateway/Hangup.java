package io.pigateway.gateway;

import org.tinylog.Logger;
import sun.misc.Signal;

/**
 * SIGHUP (what {@code systemctl reload gateway} sends, see ExecReload= in gateway.service) runs an
 * action instead of the JVM's default for it, which is to run the shutdown hooks and exit.
 * {@code sun.misc.Signal} (module jdk.unsupported) is the only way the JDK offers to handle a signal.
 */
public final class Hangup {
    private Hangup() {
    }

    /** From now on each SIGHUP runs {@code action} on the JVM's signal thread; a failure is logged, never fatal. */
    public static void handle(Runnable action) {
        Signal.handle(new Signal("HUP"), signal -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                Logger.error(e, "reload after SIGHUP failed; the gateway runs on as before");
            }
        });
    }
}
