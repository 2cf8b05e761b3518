package io.pigateway.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinylog.Level;
import org.tinylog.core.LogEntry;
import org.tinylog.runtime.PreciseTimestamp;

class ConsoleOrJournalWriterTest {
    private static final Map<String, String> PROPERTIES = Map.of(
            "format", "{date:yyyy-MM-dd HH:mm:ss.SSS} {level|min-size=5} [{thread}] {message}",
            "journal-format", "{level|min-size=5} [{thread}] {message}");

    private static String write(boolean journal, Level level, String message, Throwable exception) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ConsoleOrJournalWriter w = new ConsoleOrJournalWriter(PROPERTIES, journal, out);
        Thread t = Thread.ofPlatform().name("gateway-accept").unstarted(() -> { });
        Instant at = Instant.parse("2025-03-01T10:15:30.123Z");
        w.write(new LogEntry(new PreciseTimestamp(at.toEpochMilli(), 0), t, Map.of(), "C", "m", "C.java", 1, null, level,
                message, exception));
        w.close();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void inTheJournalEachLevelGetsItsSyslogPriorityAndNoTimestamp() {
        assertEquals("<3>ERROR [gateway-accept] e\n", write(true, Level.ERROR, "e", null));
        assertEquals("<4>WARN  [gateway-accept] w\n", write(true, Level.WARN, "w", null));
        assertEquals("<6>INFO  [gateway-accept] i\n", write(true, Level.INFO, "i", null));
        assertEquals("<7>DEBUG [gateway-accept] d\n", write(true, Level.DEBUG, "d", null));
        assertEquals("<7>TRACE [gateway-accept] t\n", write(true, Level.TRACE, "t", null));
    }

    @Test
    void everyLineOfAMultiLineMessageAndStackTraceCarriesThePriority() {
        Exception e = new IllegalStateException("outer", new RuntimeException("inner\nsecond line"));
        String out = write(true, Level.ERROR, "first\r\nsecond\nthird", e);
        List<String> lines = out.lines().toList();
        assertTrue(lines.size() > 6, out);
        for (String line : lines) {
            assertTrue(line.startsWith("<3>"), "unprefixed line: '" + line + "' in\n" + out);
        }
        assertEquals("<3>ERROR [gateway-accept] first", lines.get(0));
        assertEquals("<3>second", lines.get(1));
        assertTrue(out.contains("<3>Caused by: java.lang.RuntimeException: inner\n<3>second line\n"), out);
        assertTrue(out.endsWith("\n") && !out.contains("\r"), "lines end with a bare newline");
    }

    @Test
    void outsideTheJournalTheConsoleFormatIsUnchanged() {
        String out = write(false, Level.WARN, "w", null);
        assertTrue(out.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.123 WARN  \\[gateway-accept] w\\R"), out);
    }

    @Test
    void journalStreamCountsOnlyWhenItNamesOneOfOurOwnStreams(@TempDir Path dir) throws Exception {
        Path stdout = Files.createFile(dir.resolve("stdout"));
        Path stderr = Files.createFile(dir.resolve("stderr"));
        Map<String, Object> a = Files.readAttributes(stderr, "unix:dev,ino");
        String own = a.get("dev") + ":" + a.get("ino");
        assertTrue(JournalStream.connected(own, stdout, stderr), "stderr's device:inode");
        assertFalse(JournalStream.connected("8:1", stdout, stderr), "inherited from elsewhere, e.g. a desktop session");
        assertFalse(JournalStream.connected(null, stdout, stderr));
        assertFalse(JournalStream.connected("", stdout, stderr));
        assertFalse(JournalStream.connected("journal", stdout, stderr));
        assertTrue(JournalStream.connected("8:1", dir.resolve("closed-1"), dir.resolve("closed-2")),
                "a set variable is trusted when no stream can be examined");
    }
}
