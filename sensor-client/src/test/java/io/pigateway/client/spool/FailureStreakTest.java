package io.pigateway.client.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FailureStreakTest {
    private static final Path FILE = Path.of("/var/lib/pi-sensor-client/spool/pi-1/segment-0003.spool");

    @Test
    void oneLinePerStreakWithPathOsErrorAndCounts() {
        FailureStreak s = new FailureStreak("write");
        assertNull(s.succeeded(FILE, ""), "no streak, nothing to say");
        assertEquals("cannot write " + FILE + ": No space left on device (IOException); the reading is lost"
                        + " (failure 1 since start; further failures are counted, not logged, until it works again)",
                s.failed(FILE, new IOException("No space left on device"), "the reading is lost"));
        assertNull(s.failed(FILE, new IOException("No space left on device"), "the reading is lost"));
        assertNull(s.failed(FILE, new IOException("No space left on device"), "the reading is lost"));
        assertEquals("spool can write " + FILE + " again after 3 failure(s); 3 readings lost in this stream so far",
                s.succeeded(FILE, "3 readings lost in this stream so far"));
        assertNull(s.succeeded(FILE, ""));
        String next = s.failed(FILE, new FileSystemException(FILE.toString(), null, "Read-only file system"), "lost");
        assertEquals("cannot write " + FILE + ": Read-only file system (FileSystemException); lost (failure 4 since start;"
                + " further failures are counted, not logged, until it works again)", next);
        assertEquals(4, s.total());
    }
}
