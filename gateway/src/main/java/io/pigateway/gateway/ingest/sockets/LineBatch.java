package io.pigateway.gateway.ingest.sockets;

import io.pigateway.gateway.ingest.Ingest;
import io.pigateway.gateway.ingest.IngestRefusal;
import io.pigateway.gateway.ingest.Sample;
import io.pigateway.gateway.ingest.lineprotocol.LineMapping;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolException;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolParser;
import io.pigateway.gateway.ingest.lineprotocol.Point;
import io.pigateway.gateway.ingest.lineprotocol.Precision;
import io.pigateway.gateway.metrics.Metrics;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lines that arrived together (a burst on a TCP connection, or the datagrams waiting in the UDP
 * queue) on their way to {@link Ingest#store}: one store call per device per batch. Not thread-safe:
 * each connection and the UDP worker has its own.
 *
 * <p>Every line is counted once as received and once as stored, refused or dropped
 * ({@link Metrics#ingestLines}): a line that does not parse or map is refused alone and the others go
 * on; a device whose lines the store refuses as invalid is retried line by line (nothing of it was
 * stored), so one bad line does not take the rest of the batch with it.
 */
final class LineBatch {
    static final String KIND = "influx.field";

    private final String input;
    private final LineProtocolParser parser;
    private final LineMapping mapping;
    private final Precision precision;
    private final Ingest ingest;
    private final Metrics metrics;
    private final LineLog log;

    /** The lines of one device: their readings, how many lines, from where (the last sender). */
    private static final class DeviceLines {
        final List<Sample> samples = new ArrayList<>();
        final List<List<Sample>> perLine = new ArrayList<>();
        String peer;
    }

    private final Map<String, DeviceLines> byDevice = new LinkedHashMap<>();
    private int lines;

    LineBatch(String input, LineProtocolParser parser, LineMapping mapping, Precision precision, Ingest ingest,
              Metrics metrics, LineLog log) {
        this.input = input;
        this.parser = parser;
        this.mapping = mapping;
        this.precision = precision;
        this.ingest = ingest;
        this.metrics = metrics;
        this.log = log;
    }

    /**
     * One line, {@code length} bytes at {@code offset} without its {@code \n}: counted as received (unless
     * empty or a comment), then held for {@link #flush} or refused at once.
     */
    void add(byte[] buf, int offset, int length, String peer, int lineNumber) {
        LineMapping.Result mapped;
        try {
            Point point = parser.parseLine(buf, offset, length, lineNumber, precision);
            if (point == null) {
                return; // empty or a comment: not a line of data
            }
            metrics.ingestLines(input, "received", 1);
            try {
                mapped = mapping.map(List.of(point), null);
            } catch (LineProtocolException e) {
                metrics.ingestLines(input, "refused", 1);
                log.refused(peer, "line " + e.line() + ": " + e.reason());
                return;
            }
        } catch (LineProtocolException e) {
            metrics.ingestLines(input, "received", 1);
            metrics.ingestLines(input, "refused", 1);
            log.refused(peer, "line " + e.line() + ": " + e.reason());
            return;
        }
        if (mapped.byDevice().isEmpty()) {
            metrics.ingestLines(input, "stored", 1); // only string fields, skipped by ingest.line-protocol.strings
            return;
        }
        Map.Entry<String, List<Sample>> only = mapped.byDevice().entrySet().iterator().next();
        DeviceLines d = byDevice.computeIfAbsent(only.getKey(), k -> new DeviceLines());
        d.samples.addAll(only.getValue());
        d.perLine.add(only.getValue());
        d.peer = peer;
        lines++;
    }

    /** A line longer than the parser's limit, skipped without being kept. */
    void tooLong(String peer, int lineNumber, long bytes) {
        metrics.ingestLines(input, "received", 1);
        metrics.ingestLines(input, "refused", 1);
        log.refused(peer, "line " + lineNumber + ": the line is " + bytes + " bytes long; at most " + parser.maxLineBytes()
                + " are allowed (ingest.line-protocol.max-line-bytes)");
    }

    /** A last line without its newline at the end of a TCP stream: it may be cut short, so it is not stored. */
    void unterminated(String peer, int lineNumber) {
        metrics.ingestLines(input, "received", 1);
        metrics.ingestLines(input, "refused", 1);
        log.refused(peer, "line " + lineNumber + ": the connection ended inside it (no newline), so it may be cut short");
    }

    /** Lines held for the next {@link #flush}. */
    int lines() {
        return lines;
    }

    /**
     * Stores what is held, one call per device, and counts each line's outcome. Interrupted (the
     * gateway is shutting down), the device being stored and those after it are counted as dropped,
     * so that each line still gets exactly one outcome.
     */
    void flush() throws InterruptedException {
        Iterator<Map.Entry<String, DeviceLines>> it = byDevice.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, DeviceLines> e = it.next();
            DeviceLines d = e.getValue();
            try {
                ingest.store(input, e.getKey(), d.peer, KIND, d.samples);
                metrics.ingestLines(input, "stored", d.perLine.size());
            } catch (IngestRefusal r) {
                boolean contentProblem = r.reason() == IngestRefusal.Reason.INVALID
                        || r.reason() == IngestRefusal.Reason.CONFLICT;
                if (contentProblem && !r.partlyStored() && d.perLine.size() > 1) {
                    oneByOne(e.getKey(), d);
                } else {
                    count(e.getKey(), d.peer, d.perLine.size(), r);
                }
            } catch (InterruptedException ie) {
                drop("the gateway is shutting down (the readings may have been committed)");
                throw ie;
            }
            it.remove();
            lines -= d.perLine.size();
        }
    }

    /** Everything held is dropped (the input is closing): counted and logged. */
    void drop(String why) {
        for (Map.Entry<String, DeviceLines> e : byDevice.entrySet()) {
            metrics.ingestLines(input, "dropped", e.getValue().perLine.size());
            log.dropped(e.getValue().peer, e.getValue().perLine.size() + " line(s) of device " + e.getKey() + ": " + why);
        }
        byDevice.clear();
        lines = 0;
    }

    /** The lines of {@code d} one by one; interrupted, the ones not yet stored stay in {@code d} for {@link #drop}. */
    private void oneByOne(String device, DeviceLines d) throws InterruptedException {
        for (Iterator<List<Sample>> it = d.perLine.iterator(); it.hasNext(); ) {
            List<Sample> line = it.next();
            try {
                ingest.store(input, device, d.peer, KIND, line);
                metrics.ingestLines(input, "stored", 1);
            } catch (IngestRefusal r) {
                count(device, d.peer, 1, r);
            }
            it.remove();
            lines--;
        }
    }

    private void count(String device, String peer, int count, IngestRefusal r) {
        boolean refused = switch (r.reason()) {
            case INVALID, UNAUTHORIZED, FORBIDDEN, CONFLICT, TOO_LARGE -> true;
            case RATE_LIMITED, UNAVAILABLE -> false;
        };
        String what = count + " line(s) of device " + device + ": " + r.getMessage();
        if (refused) {
            metrics.ingestLines(input, "refused", count);
            log.refused(peer, what);
        } else {
            metrics.ingestLines(input, "dropped", count);
            log.dropped(peer, what);
        }
    }
}
