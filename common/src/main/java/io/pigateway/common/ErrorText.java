package io.pigateway.common;

import java.net.UnknownHostException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * An exception as an operator wants to read it in one log line: the messages of the exception and
 * its causes, outermost first, each once and each on one line ("Communications link failure:
 * Connection refused"; Pi4J's "Failed to execute action for device 118: Remote I/O error"). A cause
 * whose message is already in the text adds nothing; a message that is blank gives the class name;
 * an unknown host says so. At most {@value #MAX_LENGTH} characters are built from causes, so a
 * pathological chain cannot flood the log.
 */
public final class ErrorText {
    static final int MAX_LENGTH = 500;

    private ErrorText() {
    }

    public static String of(Throwable error) {
        if (error == null) {
            return "unknown error";
        }
        StringBuilder b = new StringBuilder();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = error; t != null && seen.add(t) && b.length() < MAX_LENGTH; t = t.getCause()) {
            String m = message(t);
            if (b.indexOf(m) < 0) {
                b.append(b.isEmpty() ? "" : ": ").append(m);
            }
        }
        return b.toString();
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        m = m.replaceAll("\\s*\\R\\s*", " ").strip();
        return t instanceof UnknownHostException ? "unknown host " + m : m;
    }
}
