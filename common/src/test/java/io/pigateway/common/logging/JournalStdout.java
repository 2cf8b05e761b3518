package io.pigateway.common.logging;

import java.util.ArrayList;
import java.util.List;

/**
 * For tests of a child process "under systemd": wraps its command in a shell that sets
 * {@code JOURNAL_STREAM} to the device and inode of the stdout it hands on (the pipe the test reads),
 * exactly as systemd does for the journal stream, then execs the command (same pid).
 */
public final class JournalStdout {
    private JournalStdout() {
    }

    public static List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c",
                "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/1) && export JOURNAL_STREAM && exec \"$@\"", "sh"));
        wrapped.addAll(command);
        return wrapped;
    }
}
