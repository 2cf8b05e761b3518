package io.pigateway.client.spool;

import io.pigateway.client.config.SpoolConfig;
import io.pigateway.protocol.Reading;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** What the spool tests share: small spools flushed by hand, a clock, file surgery. */
final class SpoolTesting {
    static final String DEVICE = "pi-test";
    static final long SEGMENT = 4096;
    static final long T0 = 1_700_000_000_000L;

    private SpoolTesting() {
    }

    /** {@code segments} segments of 4 KiB; flushing only when a test calls sync(). */
    static SpoolConfig config(Path base, int segments, SpoolConfig.FullPolicy policy) {
        return new SpoolConfig(base, segments * SEGMENT + SpoolConfig.META_RESERVE_BYTES, SEGMENT, policy,
                Duration.ofHours(1), 1_000_000);
    }

    static SpoolConfig config(Path base, int segments) {
        return config(base, segments, SpoolConfig.FullPolicy.DROP_OLDEST);
    }

    /** Opens without the flushing thread, on {@code clock} (nanoseconds). */
    static Spool open(SpoolConfig config, AtomicLong clock, ChannelOpener opener) {
        return Spool.open(config, DEVICE, new Spool.Options(opener, clock::get, () -> T0 + clock.get() / 1_000_000,
                false));
    }

    static Spool open(SpoolConfig config) {
        return open(config, new AtomicLong(), ChannelOpener.FILES);
    }

    static Path dir(SpoolConfig config) {
        return config.dir().resolve(DEVICE);
    }

    /** Appends {@code n} readings of sensor "s" (value = its index) and returns them as stored. */
    static List<Reading> append(Spool spool, int n) {
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(spool.append("s", T0 + i, i));
        }
        return out;
    }

    static List<Reading> all(Spool spool) {
        return spool.peekUnsent(0, Integer.MAX_VALUE);
    }

    static List<Long> seqs(List<Reading> readings) {
        return readings.stream().map(Reading::seq).toList();
    }

    static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().toList();
        }
    }

    static long bytesOnDisk(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            long total = 0;
            for (Path p : s.toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.truncate(size);
        }
    }

    static void flip(Path file, long offset) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            c.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x40));
            c.write(b.clear(), offset);
        }
    }

    /** A copy of every file of {@code from} in {@code to}. */
    static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    /**
     * Where each record of a segment file starts, in order, read with the codec itself: the test
     * needs the offsets to cut at. The last entry is the end of the last record.
     */
    static List<Long> recordOffsets(Path segment) throws IOException {
        try (FileChannel c = FileChannel.open(segment, StandardOpenOption.READ)) {
            ByteBuffer h = ByteBuffer.allocate(SegmentHeader.BYTES);
            c.read(h, 0);
            SegmentHeader header = SegmentHeader.decode(h.clear());
            RecordReader r = new RecordReader(c, header.tag(), SegmentHeader.BYTES, header.firstSeq(), c.size(),
                    ByteBuffer.allocate(1024));
            List<Long> out = new ArrayList<>();
            out.add(r.position());
            while (r.next() instanceof RecordCodec.Found) {
                out.add(r.position());
            }
            return out;
        }
    }
}
