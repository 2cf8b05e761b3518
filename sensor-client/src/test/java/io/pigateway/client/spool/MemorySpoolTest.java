package io.pigateway.client.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.protocol.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MemorySpoolTest {

    private static List<Long> seqs(List<Reading> readings) {
        return readings.stream().map(Reading::seq).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static void append(ReadingSpool b, int n) {
        for (int i = 0; i < n; i++) {
            b.append("s", 1000 + i, i);
        }
    }

    @Test
    void sequenceNumbersStartAtOneAndKeepTheReading() {
        MemorySpool b = new MemorySpool(10);
        Reading first = b.append("temp", 1234, 21.5);
        assertEquals(new Reading(1, "temp", 1234, 21.5), first);
        assertEquals(2, b.append("door", 1235, 1).seq());
        assertEquals(2, b.size());
    }

    @Test
    void streamIdIsRandomAndNeverZero() {
        long a = new MemorySpool(1).streamId();
        long c = new MemorySpool(1).streamId();
        assertNotEquals(0, a);
        assertNotEquals(a, c);
    }

    @Test
    void peekUnsentReturnsOldestFirstAfterTheGivenSeq() {
        MemorySpool b = new MemorySpool(100);
        append(b, 10);
        assertEquals(range(1, 4), seqs(b.peekUnsent(0, 4)));
        assertEquals(range(5, 10), seqs(b.peekUnsent(4, 100)));
        assertEquals(List.of(), b.peekUnsent(10, 5));
        assertEquals(List.of(), b.peekUnsent(99, 5));
        assertEquals(List.of(), b.peekUnsent(0, 0));
        assertEquals(10, b.size(), "peeking removes nothing");
    }

    @Test
    void ackForgetsExactlyWhatItCovers() {
        MemorySpool b = new MemorySpool(100);
        append(b, 10);
        assertEquals(4, b.ack(4));
        assertEquals(0, b.ack(4), "a repeated ACK is harmless");
        assertEquals(0, b.ack(2), "an older ACK is harmless");
        assertEquals(6, b.size());
        assertEquals(new ReadingSpool.Counts(10, 4, 0, 6, 0), b.counts());
        assertEquals(6, b.ack(Long.MAX_VALUE));
        assertEquals(new ReadingSpool.Counts(10, 10, 0, 0, 0), b.counts());
    }

    @Test
    void afterReconnectEverythingUnacknowledgedIsResentFromTheOldest() {
        MemorySpool b = new MemorySpool(100);
        append(b, 10);
        b.peekUnsent(0, 10); // "sent" 1..10 on the first connection
        b.ack(3);
        // A new connection starts its cursor at 0: the oldest unacknowledged comes first.
        assertEquals(range(4, 10), seqs(b.peekUnsent(0, 100)));
        append(b, 2);
        assertEquals(range(4, 12), seqs(b.peekUnsent(0, 100)));
    }

    @Test
    void fullBufferDropsTheOldestUnacknowledgedAndCountsIt() {
        MemorySpool b = new MemorySpool(3);
        append(b, 5);
        assertEquals(range(3, 5), seqs(b.peekUnsent(0, 10)));
        assertEquals(new ReadingSpool.Counts(5, 0, 2, 3, 0), b.counts());
        b.ack(3);
        append(b, 1);
        assertEquals(range(4, 6), seqs(b.peekUnsent(0, 10)));
        assertEquals(new ReadingSpool.Counts(6, 1, 2, 3, 0), b.counts());
        append(b, 4);
        assertEquals(range(8, 10), seqs(b.peekUnsent(0, 10)));
        assertEquals(new ReadingSpool.Counts(10, 1, 6, 3, 0), b.counts());
        // A cursor pointing at a dropped reading continues with the next one held.
        assertEquals(range(8, 10), seqs(b.peekUnsent(5, 10)));
    }

    @Test
    void dropWarningsAreRateLimitedButCarryTheRunningCount() {
        AtomicLong now = new AtomicLong(0);
        DropWarning w = new DropWarning(3, now::get);
        Reading r = new Reading(1, "s", 0, 0);
        assertTrue(w.dropped(r, 1), "the first drop is logged at once");
        assertFalse(w.dropped(r, 2));
        now.addAndGet(DropWarning.INTERVAL_NANOS - 1);
        assertFalse(w.dropped(r, 3));
        now.addAndGet(1);
        assertTrue(w.dropped(r, 4));
    }

    @Test
    void ringGrowsAndWrapsWithoutLosingOrder() {
        MemorySpool b = new MemorySpool(5000);
        append(b, 1500);
        b.ack(1000);
        append(b, 3000); // wraps around the grown ring
        List<Reading> all = b.peekUnsent(0, 10_000);
        assertEquals(range(1001, 4500), seqs(all));
        assertEquals(new ReadingSpool.Counts(4500, 1000, 0, 3500, 0), b.counts());
    }

    @Test
    void nonFiniteValuesAreRefused() {
        MemorySpool b = new MemorySpool(5);
        assertThrows(IllegalArgumentException.class, () -> b.append("s", 0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> b.append("s", 0, Double.POSITIVE_INFINITY));
        assertEquals(0, b.size());
        assertEquals(1, b.append("s", 0, 1).seq(), "a refused value takes no sequence number");
    }

    @Test
    @Timeout(10)
    void concurrentAppendsGetDistinctContiguousSeqs() throws Exception {
        MemorySpool b = new MemorySpool(1_000_000);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> append(b, 10_000)));
        }
        Thread acker = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 1000; i++) {
                List<Reading> head = b.peekUnsent(0, 7);
                if (!head.isEmpty()) {
                    b.ack(head.getLast().seq());
                }
            }
        });
        for (Thread t : threads) {
            t.join();
        }
        acker.join();
        ReadingSpool.Counts c = b.counts();
        assertEquals(40_000, c.appended());
        assertEquals(c.appended(), c.acknowledged() + c.dropped() + c.held());
        List<Reading> rest = b.peekUnsent(0, 100_000);
        assertEquals(range(c.acknowledged() + 1, 40_000), seqs(rest));
    }
}
