package io.pigateway.common.logging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether this process's output goes straight to the systemd journal. systemd sets
 * {@code JOURNAL_STREAM=<device>:<inode>} for the stream it connected; the variable is inherited by
 * everything started from there (desktop terminals launched by a user service have it too), so it
 * only counts if it names this process's own stdout or stderr, as systemd.exec(5) advises. stderr
 * counts as well because systemd records stderr's stream when both are connected separately.
 */
public final class JournalStream {
    private static final Path STDOUT = Path.of("/proc/self/fd/1");
    private static final Path STDERR = Path.of("/proc/self/fd/2");

    private JournalStream() {
    }

    /** For this process, from its environment and its file descriptors 1 and 2. */
    public static boolean connected() {
        return connected(System.getenv("JOURNAL_STREAM"), STDOUT, STDERR);
    }

    /**
     * True if {@code journalStream} is {@code device:inode} of one of {@code streams}. If a stream's
     * device and inode cannot be read (no /proc), a set variable is trusted.
     */
    static boolean connected(String journalStream, Path... streams) {
        if (journalStream == null || journalStream.isBlank()) {
            return false;
        }
        String[] parts = journalStream.strip().split(":", -1);
        if (parts.length != 2) {
            return false;
        }
        long device;
        long inode;
        try {
            device = Long.parseUnsignedLong(parts[0]);
            inode = Long.parseUnsignedLong(parts[1]);
        } catch (NumberFormatException e) {
            return false;
        }
        boolean readAny = false;
        for (Path stream : streams) {
            try {
                Map<String, Object> a = Files.readAttributes(stream, "unix:dev,ino");
                readAny = true;
                if (((Number) a.get("dev")).longValue() == device && ((Number) a.get("ino")).longValue() == inode) {
                    return true;
                }
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                // this stream is closed, or the platform has no unix attributes: try the next
            }
        }
        return !readAny;
    }
}
