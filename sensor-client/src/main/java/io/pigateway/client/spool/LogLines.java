package io.pigateway.client.spool;

import java.util.ArrayList;
import java.util.List;
import org.tinylog.Logger;

/** Log lines decided under the lock, written after it is released. */
final class LogLines {
    private final List<Runnable> out = new ArrayList<>(1);

    void info(String line) {
        if (line != null) {
            out.add(() -> Logger.info(line));
        }
    }

    void warn(String line) {
        if (line != null) {
            out.add(() -> Logger.warn(line));
        }
    }

    void error(String line) {
        if (line != null) {
            out.add(() -> Logger.error(line));
        }
    }

    void log() {
        out.forEach(Runnable::run);
    }
}
