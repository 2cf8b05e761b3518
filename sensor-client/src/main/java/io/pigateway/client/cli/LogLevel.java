package io.pigateway.client.cli;

import java.util.Locale;
import org.tinylog.configuration.Configuration;

/** The {@code --log-level} values, applied to tinylog before anything is logged. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR;

    /**
     * Overrides the level from tinylog.properties. tinylog freezes its configuration at the first log
     * call, so this must run first; if it is too late (a second run in one JVM, as in tests), the level
     * in effect stays and this says so on stderr.
     */
    public void apply() {
        if (Configuration.isFrozen()) {
            if (!name().equalsIgnoreCase(Configuration.get("level"))) {
                System.err.println("sensor-client: logging already started; --log-level " + this + " not applied");
            }
            return;
        }
        Configuration.set("level", name().toLowerCase(Locale.ROOT));
    }
}
