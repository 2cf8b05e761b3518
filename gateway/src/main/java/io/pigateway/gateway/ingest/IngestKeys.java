package io.pigateway.gateway.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code (stream_id, seq)} a {@link Sample} is stored under in {@code readings}, whose unique key
 * {@code (device_id, stream_id, seq)} is what makes a retry harmless:
 * <ul>
 *   <li>a sample with a sender's key keeps it (JSON {@code stream} + {@code seq}): exactly once;</li>
 *   <li>a sample with a device time gets stream = the first 8 bytes of SHA-256 over {@code "ingest:"} and
 *       the sensor name (big-endian, signed), seq = the time in nanoseconds since 1970: a retry of the same
 *       line lands on the same key and is ignored, so one sensor of one device keeps one value per
 *       nanosecond;</li>
 *   <li>a sample without a time gets this gateway run's random stream and the next number of a counter:
 *       a retry is stored again, which docs/INGEST.md says plainly.</li>
 * </ul>
 * Samples must have a time after 1970-01-01T00:00:00Z for the second form (seq starts at 1).
 */
public final class IngestKeys {
    private final long untimedStream;
    private final AtomicLong untimedSeq = new AtomicLong();

    public IngestKeys() {
        this(new SecureRandom().nextLong());
    }

    IngestKeys(long untimedStream) {
        this.untimedStream = untimedStream;
    }

    /** The stream of {@code sensor}'s timed samples (the same on every gateway and every run). */
    public static long timedStream(String sensor) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(("ingest:" + sensor).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(hash, 0, Long.BYTES).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    long streamOf(Sample s) {
        if (s.hasKey()) {
            return s.stream();
        }
        return s.hasTime() ? timedStream(s.sensor()) : untimedStream;
    }

    /** Only once per untimed sample: each call takes a new number. */
    long seqOf(Sample s) {
        if (s.hasKey()) {
            return s.seq();
        }
        return s.hasTime() ? s.timeNanos() : untimedSeq.incrementAndGet();
    }
}
