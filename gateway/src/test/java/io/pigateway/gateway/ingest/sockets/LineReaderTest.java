package io.pigateway.gateway.ingest.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.gateway.config.LineProtocolConfig;
import io.pigateway.gateway.ingest.lineprotocol.LineMapping;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolParser;
import io.pigateway.gateway.ingest.lineprotocol.Precision;
import io.pigateway.gateway.metrics.Metrics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Lines cut from bytes however the reads split them, the long ones skipped without being kept. */
class LineReaderTest {
    static final int MAX = 64;

    /** Counts {@link Metrics#ingestLines} by outcome. */
    static final class Counts implements Metrics {
        final Map<String, Integer> lines = new TreeMap<>();

        @Override
        public void ingestLines(String input, String outcome, int n) {
            lines.merge(outcome, n, Integer::sum);
        }
    }

    static LineBatch batch(Counts counts) {
        LineProtocolConfig d = LineProtocolConfig.defaults();
        LineProtocolConfig small = new LineProtocolConfig(MAX, d.maxTags(), d.maxFields(), d.deviceTags(), d.sensor(),
                d.unitTag(), d.strings());
        // No Ingest: these tests never flush.
        return new LineBatch("line-tcp", new LineProtocolParser(small), new LineMapping(small), Precision.NANOSECONDS,
                null, counts, new LineLog("line-tcp"));
    }

    static final String TEXT = "m,host=pi t=1 1\r\n"
            + "\n"
            + "# comment\n"
            + "m,host=pi t=" + "1".repeat(100) + " 2\n"   // over 64 bytes: refused, not kept
            + "m,host=pi t=oops 3\n"                        // syntax: refused
            + "m,host=pi t=2,u=\"text\" 4\n"
            + "m,host=pi t=3 5";                            // no newline before the end

    @Test
    void everySplitOfTheSameBytesGivesTheSameLines() {
        byte[] bytes = TEXT.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            for (boolean whole : new boolean[] {true, false}) {
                Counts counts = new Counts();
                LineBatch batch = batch(counts);
                LineReader reader = new LineReader(MAX);
                reader.feed(bytes, 0, split, "peer", batch);
                reader.feed(bytes, split, bytes.length - split, "peer", batch);
                reader.finish("peer", batch, whole);
                String at = "split at " + split + (whole ? ", a datagram" : ", a TCP stream");
                assertEquals(whole ? 3 : 2, batch.lines(), at + ": lines held for the store");
                assertEquals(Map.of("received", 5, "refused", whole ? 2 : 3), counts.lines, at);
            }
        }
    }

    @Test
    void byteByByteFeedingGivesTheSameLines() {
        byte[] bytes = TEXT.getBytes(StandardCharsets.UTF_8);
        Counts counts = new Counts();
        LineBatch batch = batch(counts);
        LineReader reader = new LineReader(MAX);
        for (int i = 0; i < bytes.length; i++) {
            reader.feed(bytes, i, 1, "peer", batch);
        }
        reader.finish("peer", batch, true);
        assertEquals(3, batch.lines());
        assertEquals(Map.of("received", 5, "refused", 2), counts.lines);
    }
}
