package io.pigateway.client.spool;

import static io.pigateway.client.spool.SpoolTesting.all;
import static io.pigateway.client.spool.SpoolTesting.append;
import static io.pigateway.client.spool.SpoolTesting.config;
import static io.pigateway.client.spool.SpoolTesting.copy;
import static io.pigateway.client.spool.SpoolTesting.dir;
import static io.pigateway.client.spool.SpoolTesting.flip;
import static io.pigateway.client.spool.SpoolTesting.open;
import static io.pigateway.client.spool.SpoolTesting.recordOffsets;
import static io.pigateway.client.spool.SpoolTesting.seqs;
import static io.pigateway.client.spool.SpoolTesting.truncate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.config.SpoolConfig;
import io.pigateway.protocol.Reading;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage on disk: torn tails at every byte, flipped bytes, damaged meta files. Each case works on a
 * copy of a spool written once, with the meta file as it was after an early flush, so that the
 * next seq has to come from what recovery sees in the files, not from the newer high-water mark.
 */
class SpoolRecoveryTest {
    @TempDir
    Path base;

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    /** A spool of {@code total} readings with a meta file from when only {@code early} were flushed. */
    private record Written(SpoolConfig config, List<Reading> readings, byte[] earlyMeta, byte[] finalMeta) {
        Path spoolDir() {
            return SpoolTesting.dir(config);
        }

        /** A copy of the spool under {@code name}, with the early meta file. */
        SpoolConfig copyTo(Path base, String name, boolean earlyMeta) throws IOException {
            SpoolConfig c = new SpoolConfig(base.resolve(name), config.maxBytes(), config.segmentBytes(),
                    config.fullPolicy(), config.syncInterval(), config.syncEvery());
            Files.createDirectories(c.dir());
            copy(spoolDir(), SpoolTesting.dir(c));
            Files.write(SpoolTesting.dir(c).resolve(MetaFile.NAME), earlyMeta ? this.earlyMeta : finalMeta);
            return c;
        }
    }

    private Written write(int segments, int early, int total) throws IOException {
        SpoolConfig c = config(base.resolve("original"), segments);
        Files.createDirectories(c.dir());
        List<Reading> readings = new ArrayList<>();
        byte[] earlyMeta;
        try (Spool spool = open(c)) {
            readings.addAll(append(spool, early));
            spool.sync();
            earlyMeta = Files.readAllBytes(dir(c).resolve(MetaFile.NAME));
            readings.addAll(append(spool, total - early));
        }
        return new Written(c, readings, earlyMeta, Files.readAllBytes(dir(c).resolve(MetaFile.NAME)));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    @Test
    void aTailTornAtEveryByteKeepsEveryCompleteRecordAndNeverReusesATornOnesSeq() throws Exception {
        Written w = write(4, 20, 50);
        Path segment = w.spoolDir().resolve("segment-0000.spool");
        List<Long> offsets = recordOffsets(segment); // record i (seq i+1) starts at offsets[i]
        assertEquals(51, offsets.size());
        int cases = 0;
        for (long cut = offsets.get(47); cut <= offsets.get(50); cut++) {
            SpoolConfig c = w.copyTo(base, "cut-" + cut, true);
            truncate(dir(c).resolve("segment-0000.spool"), cut);
            int complete = 0;
            while (complete < 50 && offsets.get(complete + 1) <= cut) {
                complete++;
            }
            long torn = cut - offsets.get(complete); // bytes of the next record that are there
            long expectedNext = complete + ceilDiv(torn, RecordCodec.MIN_RECORD) + 1;
            String at = "cut at " + cut + " (" + complete + " complete records, " + torn + " bytes of the next)";
            long next;
            try (Spool spool = open(c)) {
                RecoveryReport r = spool.recovery();
                assertEquals(w.readings().subList(0, complete), all(spool), at);
                assertEquals(torn, r.cutBytes(), at);
                assertEquals(torn > 0, r.damage() != null, at + ": " + r.damage());
                assertEquals(expectedNext, r.nextSeq(), at);
                assertTrue(torn == 0 || r.nextSeq() > complete + 1, at + ": the torn record's seq is never used again");
                next = spool.append("after", 1, 1).seq();
                assertEquals(r.nextSeq(), next, at);
            }
            try (Spool spool = open(c)) {
                assertNull(spool.recovery().damage(), at + ": the cut is not found again");
                List<Long> expected = new ArrayList<>(range(1, complete));
                expected.add(next);
                assertEquals(expected, seqs(all(spool)), at);
            }
            cases++;
        }
        assertEquals(3 * RecordCodec.MIN_RECORD + 1, cases);
    }

    @Test
    void withTheCurrentMetaFileTheNextSeqIsAboveEverythingEverFlushed() throws Exception {
        Written w = write(4, 20, 50);
        SpoolConfig c = w.copyTo(base, "current-meta", false);
        Path segment = dir(c).resolve("segment-0000.spool");
        truncate(segment, recordOffsets(segment).get(40)); // records 41..50 vanish at a record boundary
        try (Spool spool = open(c)) {
            assertEquals(range(1, 40), seqs(all(spool)));
            assertNull(spool.recovery().damage());
            assertEquals(51, spool.recovery().nextSeq(), "seqs up to 50 were flushed, so may have been sent");
            assertEquals(10, spool.recovery().skippedSeqs());
        }
    }

    @Test
    void aFlippedByteInAnOlderSegmentKeepsWhatIsBeforeItAndCutsTheRestCountingIt() throws Exception {
        Written w = write(6, 50, 300);
        Path middle = w.spoolDir().resolve("segment-0001.spool");
        Path last = w.spoolDir().resolve("segment-0002.spool");
        assertTrue(Files.exists(last), "three segments written");
        List<Long> offsets = recordOffsets(middle);
        long firstSeqInMiddle = recordOffsets(w.spoolDir().resolve("segment-0000.spool")).size(); // segment 0's records + 1
        int k = offsets.size() / 2;
        long seq = firstSeqInMiddle + k;
        long recordStart = offsets.get(k);
        for (long at = recordStart; at < offsets.get(k + 1); at++) {
            SpoolConfig c = w.copyTo(base, "flip-" + at, true);
            flip(dir(c).resolve("segment-0001.spool"), at);
            String what = "byte " + (at - recordStart) + " of seq " + seq + "'s record flipped";
            try (Spool spool = open(c)) {
                RecoveryReport r = spool.recovery();
                assertEquals(w.readings().subList(0, (int) seq - 1), all(spool), what + ": everything before it is kept");
                assertNotNull(r.damage(), what);
                assertEquals(Files.size(middle) - recordStart + Files.size(last), r.cutBytes(), what);
                assertEquals(1, r.cutSegments(), what);
                assertTrue(r.nextSeq() > 300, what + ": next seq " + r.nextSeq() + " is beyond all the cut part held");
                assertEquals(r.nextSeq(), spool.append("after", 1, 1).seq());
            }
            try (Spool spool = open(c)) {
                assertNull(spool.recovery().damage(), what + ": the cut is not found again");
                assertEquals(seq, all(spool).size(), what);
            }
        }
    }

    @Test
    void aFlippedByteInTheNewestSegmentIsFoundEvenInTheTag() throws Exception {
        Written w = write(6, 50, 300);
        Path tail = w.spoolDir().resolve("segment-0002.spool");
        List<Long> offsets = recordOffsets(tail);
        int k = offsets.size() / 2;
        long seq = 300 - (offsets.size() - 1) + k + 1;
        for (long at = offsets.get(k); at < offsets.get(k + 1); at++) {
            SpoolConfig c = w.copyTo(base, "flip-" + at, true);
            flip(dir(c).resolve("segment-0002.spool"), at);
            String what = "byte " + (at - offsets.get(k)) + " of seq " + seq + "'s record flipped";
            try (Spool spool = open(c)) {
                RecoveryReport r = spool.recovery();
                assertEquals(w.readings().subList(0, (int) seq - 1), all(spool), what);
                assertNotNull(r.damage(), what);
                assertEquals(Files.size(tail) - offsets.get(k), r.cutBytes(), what);
                assertEquals(0, r.cutSegments(), what);
                assertTrue(r.nextSeq() > 300, what + ": next seq " + r.nextSeq());
            }
        }
    }

    @Test
    void aDamagedMetaSlotFallsBackToTheOtherAndTwoDamagedSlotsResendEverything() throws Exception {
        SpoolConfig c = config(base, 4);
        long stream;
        try (Spool spool = open(c)) {
            stream = spool.streamId();
            append(spool, 30);
            spool.sync();
            spool.ack(10);
            spool.sync(); // meta: ack 10
            spool.ack(20);
            spool.sync(); // meta: ack 20, in the other slot
        }
        Path meta = dir(c).resolve(MetaFile.NAME);
        byte[] good = Files.readAllBytes(meta);
        MetaFile.State slot0 = MetaFile.decode(ByteBuffer.wrap(good, 0, 64).slice(), 0);
        MetaFile.State slot1 = MetaFile.decode(ByteBuffer.wrap(good, 64, 64).slice(), 1);
        MetaFile.State newest = slot0.writeCount() > slot1.writeCount() ? slot0 : slot1;
        assertEquals(20, newest.ackedSeq());
        assertEquals(newest.writeCount() - 1, Math.min(slot0.writeCount(), slot1.writeCount()), "written in turn");
        int newestSlot = (int) (newest.writeCount() & 1);

        flip(meta, newestSlot * 64L + 30); // inside the acknowledged seq: CRC fails
        try (Spool spool = open(c)) {
            assertEquals(stream, spool.streamId());
            assertTrue(all(spool).getFirst().seq() <= 11, "an older ACK position: at worst resent, never skipped");
            assertEquals(31, spool.append("s", 1, 1).seq());
        }
        Files.write(meta, new byte[MetaFile.FILE_BYTES]); // both slots gone
        try (Spool spool = open(c)) {
            assertEquals(stream, spool.streamId(), "the stream id is in every segment header too");
            assertEquals(1, all(spool).getFirst().seq(), "the ACK position is unknown: everything is resent");
            assertEquals(32, spool.append("s", 1, 1).seq());
        }
        Files.delete(meta);
        try (Spool spool = open(c)) {
            assertEquals(stream, spool.streamId(), "a missing meta file with segments is not a wiped spool");
        }
    }

    @Test
    void aTornRecordThatIsNotTheNewestMakesTheRestOfTheChainGoButNothingBefore() throws Exception {
        Written w = write(6, 50, 300);
        SpoolConfig c = w.copyTo(base, "older-torn", true);
        Path first = dir(c).resolve("segment-0000.spool");
        List<Long> offsets = recordOffsets(first);
        truncate(first, offsets.getLast() - 10); // the last record of the oldest segment is torn
        try (Spool spool = open(c)) {
            RecoveryReport r = spool.recovery();
            assertEquals(offsets.size() - 2, all(spool).size());
            assertEquals(2, r.cutSegments());
            assertTrue(r.nextSeq() > 300, "next seq " + r.nextSeq());
        }
    }
}
