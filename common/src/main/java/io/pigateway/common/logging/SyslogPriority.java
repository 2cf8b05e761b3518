package io.pigateway.common.logging;

import org.tinylog.Level;

/** The syslog priority the journal files a line under (sd-daemon(3)'s {@code <N>} prefixes). */
final class SyslogPriority {
    static final int ERR = 3;
    static final int WARNING = 4;
    static final int INFO = 6;
    static final int DEBUG = 7;

    private SyslogPriority() {
    }

    /** error 3, warn 4, info 6, debug and trace 7. */
    static int of(Level level) {
        return switch (level) {
            case ERROR -> ERR;
            case WARN -> WARNING;
            case INFO -> INFO;
            case DEBUG, TRACE, OFF -> DEBUG;
        };
    }
}
