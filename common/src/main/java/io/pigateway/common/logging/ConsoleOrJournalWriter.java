package io.pigateway.common.logging;

import java.io.PrintStream;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.tinylog.core.LogEntry;
import org.tinylog.core.LogEntryValue;
import org.tinylog.writers.AbstractFormatPatternWriter;

/**
 * tinylog writer ({@code writer = console or journal}) for stdout. On a terminal or in a file each
 * line is written in {@code writer.format}, like tinylog's console writer. When stdout is the systemd
 * journal ({@link JournalStream}) it writes {@code writer.journal-format} instead (no timestamp: the
 * journal adds its own) and starts every line with the syslog priority, {@code <3>} for error,
 * {@code <4>} warn, {@code <6>} info, {@code <7>} debug and trace, which the journal strips and files
 * the line under ({@code journalctl -p warning}).
 *
 * <p>Every line of a multi-line event (a message with line breaks, a stack trace) gets the prefix,
 * because the journal treats each line as an entry of its own and would file an unprefixed one at
 * the default priority. One event is written with one {@code print}, so events from different
 * threads never interleave.
 */
public final class ConsoleOrJournalWriter extends AbstractFormatPatternWriter {
    /** Level kept as a word for readers of plain {@code journalctl} output (no colours when piped). */
    static final String DEFAULT_JOURNAL_FORMAT = "{level|min-size=5} [{thread}] {message}";

    private final boolean journal;
    /** The stream to write to; {@code null}: whatever {@code System.out} is at each line, as tinylog's console writer does. */
    private final PrintStream fixedOut;

    /** Called by tinylog with the {@code writer.*} properties. */
    public ConsoleOrJournalWriter(Map<String, String> properties) {
        this(properties, JournalStream.connected(), null);
    }

    ConsoleOrJournalWriter(Map<String, String> properties, boolean journal, PrintStream out) {
        super(formatFor(properties, journal));
        this.journal = journal;
        this.fixedOut = out;
    }

    private PrintStream out() {
        return fixedOut != null ? fixedOut : System.out;
    }

    private static Map<String, String> formatFor(Map<String, String> properties, boolean journal) {
        if (!journal) {
            return properties;
        }
        Map<String, String> p = new HashMap<>(properties);
        p.put("format", properties.getOrDefault("journal-format", DEFAULT_JOURNAL_FORMAT));
        return p;
    }

    /** Whether lines carry journal priorities. */
    public boolean journal() {
        return journal;
    }

    @Override
    public Collection<LogEntryValue> getRequiredLogEntryValues() {
        Collection<LogEntryValue> values = super.getRequiredLogEntryValues();
        values.add(LogEntryValue.LEVEL);
        return values;
    }

    @Override
    public void write(LogEntry entry) {
        String text = render(entry);
        out().print(journal ? prefixed(SyslogPriority.of(entry.getLevel()), text) : text);
    }

    /** {@code <priority>} before each line of {@code text}; lines end with '\n' as the journal expects. */
    static String prefixed(int priority, String text) {
        String prefix = "<" + priority + ">";
        StringBuilder b = new StringBuilder(text.length() + 16);
        text.lines().forEach(line -> b.append(prefix).append(line).append('\n'));
        return b.toString();
    }

    @Override
    public void flush() {
        out().flush();
    }

    @Override
    public void close() {
        out().flush(); // stdout stays open for whatever prints after logging stops
    }
}
