package io.pigateway.client.spool;

import static io.pigateway.client.spool.SpoolTesting.DEVICE;
import static io.pigateway.client.spool.SpoolTesting.SEGMENT;
import static io.pigateway.client.spool.SpoolTesting.all;
import static io.pigateway.client.spool.SpoolTesting.append;
import static io.pigateway.client.spool.SpoolTesting.bytesOnDisk;
import static io.pigateway.client.spool.SpoolTesting.config;
import static io.pigateway.client.spool.SpoolTesting.dir;
import static io.pigateway.client.spool.SpoolTesting.open;
import static io.pigateway.client.spool.SpoolTesting.segmentFiles;
import static io.pigateway.client.spool.SpoolTesting.seqs;
import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.config.SpoolConfig;
import io.pigateway.protocol.Reading;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir
    Path base;

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void appendPeekAckRoundTrip() {
        try (Spool spool = open(config(base, 4))) {
            assertNotEquals(0, spool.streamId());
            assertTrue(spool.recovery().newStream());
            Reading first = spool.append("temp", 1234, 21.5);
            assertEquals(new Reading(1, "temp", 1234, 21.5), first);
            append(spool, 9);
            spool.sync();
            assertEquals(first, spool.peekUnsent(0, 1).getFirst(), "read back from the file as written");
            assertEquals(range(1, 4), seqs(spool.peekUnsent(0, 4)));
            assertEquals(range(5, 10), seqs(spool.peekUnsent(4, 100)));
            assertEquals(List.of(), spool.peekUnsent(10, 5));
            assertEquals(List.of(), spool.peekUnsent(3, 0));
            assertEquals(10, spool.size(), "peeking removes nothing");

            assertEquals(4, spool.ack(4));
            assertEquals(0, spool.ack(4), "an ACK again changes nothing");
            assertEquals(range(5, 10), seqs(spool.peekUnsent(0, 100)), "acknowledged readings are not sent again");
            assertEquals(new ReadingSpool.Counts(10, 4, 0, 6, 0), spool.counts());
            assertEquals(6, spool.ack(99), "an ACK beyond the newest covers what there is");
            assertEquals(0, spool.size());
        }
    }

    @Test
    void readingsTheGatewayRefusedAreForgottenAsLostAndReportedLikeAFullSpools() {
        try (Spool spool = open(config(base, 4))) {
            append(spool, 20);
            spool.sync();
            spool.ack(5);
            assertEquals(5, spool.discard(10), "seq 6..10, refused by the gateway's database");
            assertEquals(new ReadingSpool.Counts(21, 5, 5, 11, 0), spool.counts(), "the loss report appended at once");
            assertEquals(5, spool.stats().lost());
            spool.sync();
            List<Reading> held = all(spool);
            assertEquals(range(11, 20), seqs(held.subList(0, 10)), "not sent again");
            Reading report = held.getLast();
            assertEquals(new Reading(21, Spool.DROPPED_SENSOR, report.timestampMillis(), 5), report,
                    "the loss is reported through the spool at once");
        }
    }

    @Test
    void peekNeverReturnsReadingsNotYetFlushed() {
        try (Spool spool = open(config(base, 4))) {
            append(spool, 5);
            assertEquals(List.of(), all(spool), "appended, not flushed: not sendable");
            assertEquals(5, spool.stats().unflushed());
            assertEquals(0, spool.ack(5), "an ACK cannot cover what was never handed out");
            spool.sync();
            assertEquals(range(1, 5), seqs(all(spool)));
            append(spool, 3);
            assertEquals(List.of(), spool.peekUnsent(5, 100));
            assertEquals(range(1, 5), seqs(all(spool)));
            assertEquals(5, spool.ack(8), "only the flushed part can be acknowledged");
            spool.sync();
            assertEquals(range(6, 8), seqs(all(spool)));
            assertEquals(0, spool.stats().unflushed());
        }
    }

    @Test
    void theFlushingThreadFlushesOnCountAndOnTimeAndTellsTheLink() throws Exception {
        SpoolConfig c = new SpoolConfig(base, 4 * SEGMENT + SpoolConfig.META_RESERVE_BYTES, SEGMENT,
                SpoolConfig.FullPolicy.DROP_OLDEST, Duration.ofMillis(300), 10);
        try (Spool spool = Spool.open(c, DEVICE)) {
            AtomicInteger flushes = new AtomicInteger();
            spool.onFlushed(flushes::incrementAndGet);
            append(spool, 10); // the count is reached: flushed at once
            io.pigateway.testing.Await.until("10 readings flushed", Duration.ofMillis(250),
                    () -> all(spool).size() == 10);
            assertTrue(flushes.get() >= 1);
            append(spool, 1); // below the count: flushed within the interval
            assertEquals(10, all(spool).size());
            until("the 11th flushed", Duration.ofSeconds(2), () -> all(spool).size() == 11);
        }
    }

    /**
     * The flusher used to sleep a full second when idle and an append below sync-every did not wake
     * it, so 100 ms configured meant flushes about once a second: each reading here waited ~850 ms.
     */
    @Test
    @Timeout(20)
    void aSubSecondSyncIntervalIsKeptAfterTheFlusherWentIdle() throws Exception {
        SpoolConfig c = new SpoolConfig(base, 4 * SEGMENT + SpoolConfig.META_RESERVE_BYTES, SEGMENT,
                SpoolConfig.FullPolicy.DROP_OLDEST, Duration.ofMillis(100), 1_000);
        try (Spool spool = Spool.open(c, DEVICE)) {
            java.util.concurrent.Semaphore flushed = new java.util.concurrent.Semaphore(0);
            spool.onFlushed(flushed::release);
            long worst = 0;
            for (int i = 0; i < 6; i++) {
                Thread.sleep(150); // long enough for the flusher to find nothing to do and go idle
                long appended = System.nanoTime();
                spool.append("s", SpoolTesting.T0 + i, i);
                assertTrue(flushed.tryAcquire(5, java.util.concurrent.TimeUnit.SECONDS), "reading " + i + " flushed");
                worst = Math.max(worst, System.nanoTime() - appended);
            }
            assertTrue(worst < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(400),
                    "with 100 ms configured, the slowest reading took " + worst / 1_000_000 + " ms to be flushed");
            assertEquals(6, all(spool).size());
        }
    }

    @Test
    void aRestartContinuesTheStreamWithTheNextSeqAndResendsOnlyWhatWasNotAcknowledged() {
        long stream;
        try (Spool spool = open(config(base, 4))) {
            stream = spool.streamId();
            append(spool, 10);
            spool.sync();
            spool.ack(3);
        }
        try (Spool spool = open(config(base, 4))) {
            assertEquals(stream, spool.streamId());
            assertFalse(spool.recovery().newStream());
            assertEquals(7, spool.recovery().held());
            assertEquals(range(4, 10), seqs(all(spool)));
            assertEquals(new ReadingSpool.Counts(0, 0, 0, 7, 7), spool.counts());
            assertEquals(11, spool.append("s", 1, 1).seq());
            spool.sync();
            assertEquals(range(4, 11), seqs(all(spool)));
        }
    }

    @Test
    void aRestartSkipsAtLeast2To32SeqsSoThatARestoredOrClonedCopyNeverGivesASeqToAnotherReading() throws Exception {
        SpoolConfig c = config(base, 4);
        Spool.Options jumping = new Spool.Options(ChannelOpener.FILES, System::nanoTime, System::currentTimeMillis, false,
                SeqJump::random);
        try (Spool spool = Spool.open(c, DEVICE, jumping)) {
            assertEquals(0, spool.recovery().jump(), "a new stream starts at seq 1");
            append(spool, 10);
            spool.sync();
            spool.ack(4);
        }
        Path image = base.resolve("image");
        SpoolTesting.copy(dir(c), image);
        long originalFrom;
        long originalTo;
        try (Spool original = Spool.open(c, DEVICE, jumping)) {
            RecoveryReport r = original.recovery();
            assertTrue(r.jump() >= 1L << 32 && r.jump() < (1L << 32) + (1L << 40), "jump " + r.jump());
            assertEquals(11 + r.jump(), r.nextSeq());
            assertEquals(range(5, 10), seqs(all(original)), "what was not acknowledged is still sent first");
            originalFrom = original.append("s", 1, 1).seq();
            originalTo = append(original, 20).getLast().seq();
            assertEquals(originalFrom + 20, originalTo, "no gaps within a run");
            original.sync();
            assertEquals(6 + 21, all(original).size());
        }
        Path restored = dir(c);
        try (var files = Files.list(restored)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        SpoolTesting.copy(image, restored);
        try (Spool copy = Spool.open(c, DEVICE, jumping)) {
            assertEquals(range(5, 10), seqs(all(copy)).subList(0, 6));
            long from = copy.append("s", 2, 2).seq();
            long to = append(copy, 20).getLast().seq();
            assertTrue(to < originalFrom || from > originalTo, "the restored copy's seqs " + from + ".." + to
                    + " stay clear of the ones the original used after the copy, " + originalFrom + ".." + originalTo);
        }
    }

    @Test
    void aWipedSpoolStartsANewStreamAtSeqOne() throws Exception {
        long stream;
        try (Spool spool = open(config(base, 4))) {
            stream = spool.streamId();
            append(spool, 10);
        }
        try (var files = Files.list(dir(config(base, 4)))) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        try (Spool spool = open(config(base, 4))) {
            assertTrue(spool.recovery().newStream());
            assertNotEquals(stream, spool.streamId());
            assertNotEquals(0, spool.streamId());
            assertEquals(1, spool.append("s", 1, 1).seq());
        }
        try (var files = Files.list(base)) {
            for (Path p : files.toList()) { // the whole device directory goes
                try (var inner = Files.list(p)) {
                    for (Path q : inner.toList()) {
                        Files.delete(q);
                    }
                }
                Files.delete(p);
            }
        }
        try (Spool spool = open(config(base, 4))) {
            assertTrue(spool.recovery().newStream());
            assertEquals(1, spool.append("s", 1, 1).seq());
        }
    }

    @Test
    void segmentFilesAreReusedNotCreatedAgainAndTheSpoolNeverExceedsItsSize() throws Exception {
        SpoolConfig c = config(base, 5);
        Map<String, Object> inodes = new HashMap<>();
        try (Spool spool = open(c)) {
            long next = 1;
            for (int round = 0; round < 60; round++) { // about 6000 readings: some 60 segments' worth
                List<Reading> stored = append(spool, 100);
                assertEquals(next, stored.getFirst().seq());
                next += 100;
                spool.sync();
                List<Reading> sendable = all(spool);
                assertEquals(100, sendable.size());
                spool.ack(sendable.getLast().seq());
                for (Path p : segmentFiles(dir(c))) {
                    Object inode = Files.getAttribute(p, "unix:ino");
                    assertEquals(inode, inodes.computeIfAbsent(p.getFileName().toString(), k -> inode),
                            p + " is the same file, written again from the start");
                }
                assertTrue(bytesOnDisk(dir(c)) <= c.maxBytes(), bytesOnDisk(dir(c)) + " bytes on disk");
            }
            assertEquals(0, spool.counts().dropped());
        }
        assertTrue(inodes.size() <= 5, "segment files: " + inodes.keySet());
        assertTrue(inodes.size() >= 2, "the spool moved on to other segments: " + inodes.keySet());
        try (Spool spool = open(c)) {
            assertEquals(0, spool.size(), "every ACK before the close was kept");
            assertEquals(6001, spool.append("s", 1, 1).seq());
        }
    }

    @Test
    void dropOldestDropsWholeOldestSegmentsCountsEveryReadingAndReportsTheCount() throws Exception {
        SpoolConfig c = config(base, 3);
        AtomicLong clock = new AtomicLong();
        try (Spool spool = open(c, clock, ChannelOpener.FILES)) {
            int n = 1000; // about ten segments' worth into three
            append(spool, n);
            spool.sync();
            List<Reading> held = all(spool);
            ReadingSpool.Counts counts = spool.counts();
            assertEquals(n, counts.appended());
            assertEquals(held.size(), counts.held());
            assertEquals(n - held.size(), counts.dropped(), "every reading not held was counted as dropped");
            assertEquals(range(n - held.size() + 1, n), seqs(held), "the oldest went, the newest stayed, in order");
            assertTrue(counts.dropped() > 0 && held.size() > 100, counts.toString());
            assertEquals(counts.dropped(), spool.stats().lost());
            assertTrue(bytesOnDisk(dir(c)) <= c.maxBytes());

            spool.reportLoss(false);
            spool.sync();
            Reading report = all(spool).getLast();
            assertEquals(Spool.DROPPED_SENSOR, report.sensor());
            assertEquals(counts.dropped(), (long) report.value());
            assertEquals(n + 1, report.seq(), "the report goes through the spool like any reading");

            long lostBefore = spool.stats().lost();
            append(spool, 300);
            assertTrue(spool.stats().lost() > lostBefore, "more were dropped");
            long appended = spool.counts().appended();
            spool.reportLoss(false);
            clock.addAndGet(Duration.ofMillis(999).toNanos());
            spool.reportLoss(false);
            assertEquals(appended, spool.counts().appended(), "at most one report a second");
            clock.addAndGet(Duration.ofMillis(1).toNanos());
            spool.reportLoss(false);
            spool.sync();
            Reading last = all(spool).getLast();
            assertEquals(Spool.DROPPED_SENSOR, last.sensor());
            assertEquals(spool.stats().lost(), (long) last.value());
            assertEquals(spool.counts().dropped(), spool.stats().lost());
            ReadingSpool.Counts end = spool.counts();
            assertEquals(end.appended(), end.acknowledged() + end.dropped() + end.held());
        }
    }

    @Test
    void stopSamplingKeepsWhatIsStoredCountsEveryRefusedReadingAndStillReportsTheCount() {
        SpoolConfig c = config(base, 3, SpoolConfig.FullPolicy.STOP_SAMPLING);
        try (Spool spool = open(c)) {
            List<Reading> stored = append(spool, 1000);
            int kept = (int) stored.stream().filter(r -> r != null).count();
            assertTrue(kept > 200 && kept < 1000, kept + " stored");
            assertTrue(stored.subList(0, kept).stream().allMatch(r -> r != null), "the first ones are stored");
            assertTrue(stored.subList(kept, 1000).stream().allMatch(r -> r == null), "then none");
            assertEquals(new ReadingSpool.Counts(1000, 0, 1000 - kept, kept, 0), spool.counts());
            assertEquals(1000 - kept, spool.stats().lost());

            spool.reportLoss(false);
            spool.sync();
            List<Reading> all = all(spool);
            assertEquals(range(1, kept), seqs(all.subList(0, kept)), "nothing stored was dropped");
            assertEquals(Spool.DROPPED_SENSOR, all.getLast().sensor(), "room is kept for the count");
            assertEquals(1000 - kept, (long) all.getLast().value());

            spool.ack(all.get(kept / 2).seq()); // frees the oldest segment
            Reading again = spool.append("s", 1, 1);
            assertNotNull(again, "stored again once an ACK made room");
            assertEquals(kept + 2, again.seq());
        }
    }

    @Test
    void aFailedWriteLosesOnlyThatReadingIsCountedAndTheRestIsFine() {
        FaultyChannel.Switches faults = new FaultyChannel.Switches();
        SpoolConfig c = config(base, 4);
        try (Spool spool = open(c, new AtomicLong(), faults.opener())) {
            append(spool, 5);
            faults.failWrites.set(true);
            List<Reading> failed = append(spool, 3);
            assertTrue(failed.stream().allMatch(r -> r == null), "not stored");
            SpoolStats s = spool.stats();
            assertEquals(3, s.writeFailures());
            assertEquals(3, s.lost());
            assertTrue(s.lastProblem().contains(dir(c).resolve("segment-0000.spool").toString()), s.lastProblem());
            assertTrue(s.lastProblem().contains("No space left on device"), s.lastProblem());
            assertEquals(new ReadingSpool.Counts(8, 0, 3, 5, 0), spool.counts());

            faults.failWrites.set(false);
            assertEquals(List.of(6L, 7L), seqs(append(spool, 2)), "the next writes work, over the torn one");
            spool.sync();
            assertEquals(range(1, 7), seqs(all(spool)));
        }
        try (Spool spool = open(c)) {
            assertEquals(null, spool.recovery().damage(), "the torn write was overwritten, nothing to cut");
            List<Reading> held = all(spool);
            assertEquals(range(1, 8), seqs(held));
            assertEquals(new Reading(8, Spool.DROPPED_SENSOR, SpoolTesting.T0, 3), held.getLast(),
                    "closing reported the changed count");
            assertEquals(3, spool.stats().lost(), "the stream's lost count survives a restart");
        }
    }

    @Test
    void aSegmentThatCannotBeStartedIsAWriteFailureToo() {
        FaultyChannel.Switches faults = new FaultyChannel.Switches();
        SpoolConfig c = config(base, 4);
        try (Spool spool = open(c, new AtomicLong(), faults.opener())) {
            append(spool, 50);
            faults.failOpens.set(true); // the second segment file cannot be created
            List<Reading> stored = append(spool, 100);
            long lost = stored.stream().filter(r -> r == null).count();
            assertTrue(lost > 0, "some did not fit the first segment");
            assertEquals(lost, spool.stats().writeFailures());
            assertTrue(spool.stats().lastProblem().contains("cannot write " + dir(c).resolve("segment-0001.spool")
                    + ": Read-only file system"), spool.stats().lastProblem());
            faults.failOpens.set(false);
            assertNotNull(spool.append("s", 1, 1));
            spool.sync();
            assertEquals(spool.counts().held(), all(spool).size());
        }
    }

    @Test
    void aFailedFlushHoldsReadingsBackUntilAFlushWorks() {
        FaultyChannel.Switches faults = new FaultyChannel.Switches();
        try (Spool spool = open(config(base, 4), new AtomicLong(), faults.opener())) {
            append(spool, 5);
            faults.failFlushes.set(true);
            spool.sync();
            assertEquals(List.of(), all(spool), "not flushed: not sent");
            assertEquals(1, spool.stats().flushFailures());
            assertTrue(spool.stats().lastProblem().contains("Input/output error"), spool.stats().lastProblem());
            faults.failFlushes.set(false);
            spool.sync();
            assertEquals(range(1, 5), seqs(all(spool)));
        }
    }

    @Test
    void anUnusableDirectoryStopsStartUpWithThePath() throws Exception {
        Path missing = base.resolve("no/such/spool");
        SpoolUnusableException e = assertThrows(SpoolUnusableException.class, () -> open(config(missing, 4)));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"), e.getMessage());

        Path file = Files.writeString(base.resolve("a-file"), "x");
        e = assertThrows(SpoolUnusableException.class, () -> open(config(file, 4)));
        assertTrue(e.getMessage().contains(file + " is not a directory"), e.getMessage());

        FaultyChannel.Switches readOnly = new FaultyChannel.Switches();
        readOnly.failOpens.set(true);
        e = assertThrows(SpoolUnusableException.class, () -> open(config(base, 4), new AtomicLong(), readOnly.opener()));
        assertTrue(e.getMessage().contains(dir(config(base, 4)).resolve("spool.meta").toString())
                && e.getMessage().contains("Read-only file system"), e.getMessage());

        try (Spool first = open(config(base, 4))) {
            e = assertThrows(SpoolUnusableException.class, () -> open(config(base, 4)));
            assertTrue(e.getMessage().contains("in use by another sensor client") && e.getMessage().contains(DEVICE),
                    e.getMessage());
            assertNotNull(first.append("s", 1, 1), "the first one is unaffected");
        }
    }

    @Test
    void misuseFailsAtOnce() {
        Spool spool = open(config(base, 4));
        assertThrows(IllegalArgumentException.class, () -> spool.append("s", 1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> spool.append("bad name", 1, 1));
        spool.close();
        spool.close();
        assertThrows(IllegalStateException.class, () -> spool.append("s", 1, 1));
        assertEquals(List.of(), all(spool));
        assertEquals(0, spool.ack(5));
    }

    @Test
    @Timeout(20)
    void samplersAppendWhileTheLinkPeeksAndAcknowledges() throws Exception {
        SpoolConfig c = new SpoolConfig(base, 64 * SEGMENT + SpoolConfig.META_RESERVE_BYTES, SEGMENT,
                SpoolConfig.FullPolicy.DROP_OLDEST, Duration.ofMillis(1), 50);
        int threads = 4;
        int each = 5000;
        try (Spool spool = Spool.open(c, DEVICE)) {
            // A failed assertion in a sampler thread would only end that thread; it is collected and
            // rethrown here, and stops the wait below, rather than surfacing as a timeout.
            Queue<Throwable> samplerFailures = new ConcurrentLinkedQueue<>();
            List<Thread> samplers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String sensor = "sensor-" + t;
                samplers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < each; i++) {
                            assertNotNull(spool.append(sensor, i, i));
                        }
                    } catch (Throwable e) {
                        samplerFailures.add(e);
                    }
                }));
            }
            Map<String, Double> lastValue = new HashMap<>();
            long[] last = {0};
            int[] received = {0};
            // Drains what is flushed on each call, as the link does, so that the spool never fills up.
            until("every reading peeked and acknowledged", Duration.ofSeconds(15), () -> {
                List<Reading> batch;
                do {
                    batch = spool.peekUnsent(last[0], 500);
                    for (Reading r : batch) {
                        assertTrue(r.seq() > last[0], "seq rises: " + r.seq() + " after " + last[0]);
                        last[0] = r.seq();
                        Double before = lastValue.put(r.sensor(), r.value());
                        assertTrue(before == null || r.value() == before + 1, r.sensor() + " " + before + " then "
                                + r.value());
                        received[0]++;
                    }
                    if (!batch.isEmpty()) {
                        spool.ack(last[0]);
                    }
                } while (!batch.isEmpty());
                return received[0] >= threads * each || !samplerFailures.isEmpty();
            });
            for (Thread t : samplers) {
                t.join();
            }
            rethrowFirst(samplerFailures);
            assertEquals(threads * each, received[0]);
            assertEquals(new ReadingSpool.Counts(threads * each, threads * each, 0, 0, 0), spool.counts());
        }
    }

    private static void rethrowFirst(Queue<Throwable> failures) {
        Throwable first = failures.poll();
        if (first != null) {
            failures.forEach(first::addSuppressed);
            throw first instanceof Error e ? e : new AssertionError("a sampler thread failed", first);
        }
    }

    @Test
    void eachNewSpoolHasItsOwnStream() {
        try (Spool a = open(config(base.resolve("a"), 4)); Spool b = open(config(base.resolve("b"), 4))) {
            assertNotEquals(a.streamId(), b.streamId());
        }
    }
}
