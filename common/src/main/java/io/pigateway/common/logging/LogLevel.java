package io.pigateway.common.logging;

import java.util.Locale;
import org.tinylog.configuration.Configuration;

/** The {@code --log-level} values (and the gateway's {@code log.level}), applied to tinylog before anything is logged. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR;

    /**
     * Overrides the level from tinylog.properties. tinylog freezes its configuration at the first log
     * call, so this must run first; if it is too late (a second run in one JVM, as in tests), the level
     * in effect stays and this says so on stderr.
     */
    public void apply(String program) {
        if (Configuration.isFrozen()) {
            if (!name().equalsIgnoreCase(Configuration.get("level"))) {
                System.err.println(program + ": logging already started; log level " + key() + " not applied");
            }
            return;
        }
        Configuration.set("level", key());
    }

    /** The spelling of the command line and the configuration file. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
