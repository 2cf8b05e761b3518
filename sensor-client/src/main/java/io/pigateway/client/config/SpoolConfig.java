package io.pigateway.client.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The durable spool that holds readings until the gateway acknowledges them (docs/SPOOL.md).
 *
 * @param dir          base directory; a client uses the subdirectory named after its device id, so
 *                     several clients can share one base directory
 * @param maxBytes     the most the spool's files take together: {@link #segments()} segment files plus
 *                     {@link #META_RESERVE_BYTES} for the meta file
 * @param segmentBytes the size of one segment file; space is freed and reused a whole segment at a time
 * @param fullPolicy   what happens when a reading does not fit
 * @param syncInterval readings are flushed to the storage at most this long after they were appended
 *                     (0 = after every reading); only flushed readings are sent
 * @param syncEvery    a flush happens as soon as this many readings wait for one
 */
public record SpoolConfig(Path dir, long maxBytes, long segmentBytes, FullPolicy fullPolicy, Duration syncInterval,
                          int syncEvery) {
    public static final Path DEFAULT_DIR = Path.of("/var/lib/pi-sensor-client/spool");
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    public static final long DEFAULT_SEGMENT_BYTES = 1L << 20;
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_SYNC_EVERY = 100;
    public static final long MIN_SEGMENT_BYTES = 4L << 10;
    public static final long MAX_SEGMENT_BYTES = 1L << 30;
    public static final int MAX_SEGMENTS = 4096;
    /** Kept out of {@code maxBytes} for the meta file: 128 bytes, but a whole file-system block on disk. */
    public static final long META_RESERVE_BYTES = 4L << 10;

    /** What the spool does with a reading that does not fit. */
    public enum FullPolicy {
        /** Free the oldest segment: its unacknowledged readings are dropped (and counted). */
        DROP_OLDEST,
        /** Keep what is stored; new readings are not stored (and counted) until ACKs free a segment. */
        STOP_SAMPLING;

        /** The spelling used in the configuration file. */
        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public SpoolConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(fullPolicy, "fullPolicy");
        Objects.requireNonNull(syncInterval, "syncInterval");
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be from " + MIN_SEGMENT_BYTES + " to "
                    + MAX_SEGMENT_BYTES + ", not " + segmentBytes);
        }
        String problem = segmentsProblem(maxBytes, segmentBytes);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (syncInterval.isNegative()) {
            throw new IllegalArgumentException("syncInterval must not be negative, not " + syncInterval);
        }
        if (syncEvery < 1) {
            throw new IllegalArgumentException("syncEvery must be >= 1, not " + syncEvery);
        }
    }

    /** The defaults, in {@code dir}. */
    public static SpoolConfig defaults(Path dir) {
        return new SpoolConfig(dir, DEFAULT_MAX_BYTES, DEFAULT_SEGMENT_BYTES, FullPolicy.DROP_OLDEST,
                DEFAULT_SYNC_INTERVAL, DEFAULT_SYNC_EVERY);
    }

    /** How many segment files the spool may have. */
    public int segments() {
        return (int) ((maxBytes - META_RESERVE_BYTES) / segmentBytes);
    }

    /** The directory of one client's spool. */
    public Path deviceDir(String deviceId) {
        return dir.resolve(deviceId);
    }

    /**
     * {@code null} if {@code run} can make this device's spool directory, else a sentence saying why not:
     * the checks of {@code SpoolDirectory.prepare} (which makes {@code dir} only if its parent exists),
     * without creating anything. For {@code check-config}; {@link #writeProblem} is the other half.
     */
    public String directoryProblem(String deviceId) {
        Path base = dir.toAbsolutePath().normalize();
        Path own = base.resolve(deviceId);
        if (Files.exists(own) && !Files.isDirectory(own)) {
            return own + " exists but is not a directory";
        }
        if (Files.exists(base) && !Files.isDirectory(base)) {
            return "it is not a directory";
        }
        Path parent = base.getParent();
        if (!Files.exists(base) && (parent == null || !Files.isDirectory(parent))) {
            return "it does not exist, and neither does its parent " + parent
                    + "; create it, writable for the user the client runs as";
        }
        return null;
    }

    /**
     * {@code null} if this user can write where {@code run} writes (the device's directory, else the
     * directory it would be made in), else the directory that is not writable. For {@code check-config}.
     */
    public Path writeProblem(String deviceId) {
        Path base = dir.toAbsolutePath().normalize();
        for (Path p : new Path[] {base.resolve(deviceId), base, base.getParent()}) {
            if (p != null && Files.isDirectory(p)) {
                return Files.isWritable(p) ? null : p;
            }
        }
        return null;
    }

    /** {@code null} if {@code maxBytes} holds 2 to {@link #MAX_SEGMENTS} segments, else a sentence saying why not. */
    static String segmentsProblem(long maxBytes, long segmentBytes) {
        long n = (maxBytes - META_RESERVE_BYTES) / segmentBytes;
        if (maxBytes < META_RESERVE_BYTES || n < 2) {
            return "must hold at least 2 segments of " + Sizes.format(segmentBytes) + " (spool.segment-bytes) plus "
                    + Sizes.format(META_RESERVE_BYTES) + " for the meta file, i.e. at least "
                    + Sizes.format(2 * segmentBytes + META_RESERVE_BYTES);
        }
        if (n > MAX_SEGMENTS) {
            return "gives " + n + " segments of " + Sizes.format(segmentBytes) + "; at most " + MAX_SEGMENTS
                    + " are allowed (raise spool.segment-bytes)";
        }
        return null;
    }
}
