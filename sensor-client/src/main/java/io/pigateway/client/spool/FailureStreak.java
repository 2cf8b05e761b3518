package io.pigateway.client.spool;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * One kind of spool I/O failure (writing, flushing, reading), logged once per streak: a line when
 * the first failure of a streak happens, another when the operation works again, both with counts.
 * The methods return the line to log (or null); the caller logs it outside its lock. Not thread-safe.
 */
final class FailureStreak {
    private final String operation;
    private long inStreak;
    private long total;
    private String last;

    /** @param operation what failed, as in "cannot {operation} ..." */
    FailureStreak(String operation) {
        this.operation = operation;
    }

    /**
     * Counts a failure.
     *
     * @param consequence what it means for the readings, e.g. "this reading is lost"
     * @return the line for the ERROR log if this failure starts a streak, else null
     */
    String failed(Path path, IOException e, String consequence) {
        total++;
        inStreak++;
        String file = e instanceof FileSystemException f && f.getFile() != null ? f.getFile() : path.toString();
        last = "cannot " + operation + " " + file + ": " + describe(e);
        if (inStreak > 1) {
            return null;
        }
        return last + "; " + consequence + " (failure " + total + " since start; further failures are counted, not"
                + " logged, until it works again)";
    }

    /** Ends a streak; returns the line for the INFO log if one was running, else null. */
    String succeeded(Path path, String detail) {
        if (inStreak == 0) {
            return null;
        }
        String line = "spool can " + operation + " " + path + " again after " + inStreak + " failure(s)"
                + (detail.isEmpty() ? "" : "; " + detail);
        inStreak = 0;
        return line;
    }

    long total() {
        return total;
    }

    /** The last failure, {@code null} if none. */
    String last() {
        return last;
    }

    /** {@code e}, made to name {@code file} unless it names a file already. */
    static IOException naming(Path file, IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return e;
        }
        FileSystemException named = new FileSystemException(file.toString(), null,
                e.getMessage() == null ? "" : e.getMessage());
        named.initCause(e);
        return named;
    }

    /** The operating system's words for an I/O error, e.g. "No space left on device". */
    static String describe(IOException e) {
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        Throwable kind = e instanceof FileSystemException && e.getCause() instanceof IOException c ? c : e;
        return (reason == null || reason.isEmpty() ? "" : reason + " ") + "(" + kind.getClass().getSimpleName() + ")";
    }
}
