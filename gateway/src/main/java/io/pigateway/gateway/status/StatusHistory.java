package io.pigateway.gateway.status;

import io.pigateway.gateway.metrics.GatewayMetrics;
import io.pigateway.gateway.metrics.LatencyRecorder;
import java.util.HashMap;
import java.util.Map;

/**
 * The last hour of the status page's plots, sampled once a second from counters the gateway keeps
 * anyway, so the page adds no work per frame: committed readings/s, ACK latency p50/p99, queue depth
 * and commit time p50/p99 for the whole gateway (3,600 points each), and each device's readings/s
 * (360 points, one per 10 s). Memory: about 100 KB for the gateway, 3 KB per device (at most
 * {@code GatewayMetrics.MAX_DEVICES}). Thread-safe: one sampler writes, HTTP threads read.
 */
final class StatusHistory {
    static final int SECONDS = 3600;
    static final int DEVICE_STEP_SECONDS = 10;
    static final int DEVICE_POINTS = SECONDS / DEVICE_STEP_SECONDS;
    /** The window of a device's "readings/s now". */
    static final int NOW_SECONDS = 10;

    /** One series of the gateway, oldest first. Times are epoch seconds; NaN: nothing to measure then. */
    record Series(long[] t, float[] readingsPerSecond, float[] ackP50Ms, float[] ackP99Ms, int[] queue,
                  float[] commitP50Ms, float[] commitP99Ms) {
    }

    /** One device's readings/s, oldest first. */
    record DeviceSeries(long[] t, float[] readingsPerSecond) {
    }

    private static final class Device {
        /** Committed-reading totals of the last NOW_SECONDS + 1 samples, a ring indexed by sample number. */
        final long[] recent = new long[NOW_SECONDS + 1];
        long samples;
        final long[] t = new long[DEVICE_POINTS];
        final float[] rate = new float[DEVICE_POINTS];
        int next;
        int count;
        long pointTotal = -1;
    }

    private final long[] t = new long[SECONDS];
    private final float[] rate = new float[SECONDS];
    private final float[] ackP50 = new float[SECONDS];
    private final float[] ackP99 = new float[SECONDS];
    private final int[] queue = new int[SECONDS];
    private final float[] commitP50 = new float[SECONDS];
    private final float[] commitP99 = new float[SECONDS];
    private int next;
    private int count;

    private final Map<String, Device> devices = new HashMap<>();
    private long lastCommitted = -1;
    private long lastNanos;
    private long[] lastAck;
    private long[] lastCommit;
    private long sampleNumber;

    /** Takes one sample; called once a second. {@code nowNanos} from System.nanoTime() for the rate. */
    synchronized void sample(long nowMillis, long nowNanos, GatewayMetrics metrics, int queueDepth) {
        long committed = metrics.readingsCommittedAll();
        long[] ack = metrics.ackLatency().snapshot();
        long[] commit = metrics.commitTime().snapshot();
        if (lastCommitted >= 0) {
            double seconds = Math.max(1e-3, (nowNanos - lastNanos) / 1e9);
            int i = next;
            t[i] = nowMillis / 1000;
            rate[i] = (float) ((committed - lastCommitted) / seconds);
            ackP50[i] = (float) LatencyRecorder.quantileMillis(lastAck, ack, 0.50);
            ackP99[i] = (float) LatencyRecorder.quantileMillis(lastAck, ack, 0.99);
            commitP50[i] = (float) LatencyRecorder.quantileMillis(lastCommit, commit, 0.50);
            commitP99[i] = (float) LatencyRecorder.quantileMillis(lastCommit, commit, 0.99);
            queue[i] = queueDepth;
            next = (i + 1) % SECONDS;
            count = Math.min(SECONDS, count + 1);
        }
        lastCommitted = committed;
        lastNanos = nowNanos;
        lastAck = ack;
        lastCommit = commit;

        long n = sampleNumber++;
        boolean point = n % DEVICE_STEP_SECONDS == 0;
        metrics.forEachDevice(c -> {
            Device d = devices.computeIfAbsent(c.deviceId(), id -> new Device());
            d.recent[(int) (d.samples++ % d.recent.length)] = c.committedReadings();
            if (point) {
                if (d.pointTotal >= 0) {
                    d.t[d.next] = nowMillis / 1000;
                    d.rate[d.next] = (float) (c.committedReadings() - d.pointTotal) / DEVICE_STEP_SECONDS;
                    d.next = (d.next + 1) % DEVICE_POINTS;
                    d.count = Math.min(DEVICE_POINTS, d.count + 1);
                }
                d.pointTotal = c.committedReadings();
            }
        });
    }

    /** The device's committed readings per second over the last {@value #NOW_SECONDS} s; NaN if unknown. */
    synchronized double readingsPerSecondNow(String deviceId) {
        Device d = devices.get(deviceId);
        if (d == null || d.samples < 2) {
            return Double.NaN;
        }
        int span = (int) Math.min(NOW_SECONDS, d.samples - 1);
        long newest = d.recent[(int) ((d.samples - 1) % d.recent.length)];
        long oldest = d.recent[(int) ((d.samples - 1 - span) % d.recent.length)];
        return (double) (newest - oldest) / span;
    }

    /** The gateway's committed readings/s in the newest sample; NaN before the second sample. */
    synchronized double readingsPerSecondNow() {
        return count == 0 ? Double.NaN : rate[(next - 1 + SECONDS) % SECONDS];
    }

    /** The gateway's samples newer than {@code afterEpochSeconds} (0: the whole hour). */
    synchronized Series since(long afterEpochSeconds) {
        int start = (next - count + SECONDS) % SECONDS;
        int skip = 0;
        while (skip < count && t[(start + skip) % SECONDS] <= afterEpochSeconds) {
            skip++;
        }
        int n = count - skip;
        int from = (start + skip) % SECONDS;
        return new Series(copy(t, from, n), copy(rate, from, n), copy(ackP50, from, n), copy(ackP99, from, n),
                copy(queue, from, n), copy(commitP50, from, n), copy(commitP99, from, n));
    }

    /** The device's last hour, or {@code null} for a device never sampled. */
    synchronized DeviceSeries device(String deviceId) {
        Device d = devices.get(deviceId);
        if (d == null) {
            return null;
        }
        int from = (d.next - d.count + DEVICE_POINTS) % DEVICE_POINTS;
        long[] times = new long[d.count];
        float[] rates = new float[d.count];
        for (int k = 0; k < d.count; k++) {
            times[k] = d.t[(from + k) % DEVICE_POINTS];
            rates[k] = d.rate[(from + k) % DEVICE_POINTS];
        }
        return new DeviceSeries(times, rates);
    }

    private static long[] copy(long[] ring, int from, int n) {
        return unwrap(ring, ring.length, from, new long[n], n);
    }

    private static float[] copy(float[] ring, int from, int n) {
        return unwrap(ring, ring.length, from, new float[n], n);
    }

    private static int[] copy(int[] ring, int from, int n) {
        return unwrap(ring, ring.length, from, new int[n], n);
    }

    /** The {@code n} entries of {@code ring} (an array of {@code length}) from {@code from} on, wrapping at its end. */
    private static <A> A unwrap(A ring, int length, int from, A out, int n) {
        int first = Math.min(n, length - from);
        System.arraycopy(ring, from, out, 0, first);
        System.arraycopy(ring, 0, out, first, n - first);
        return out;
    }
}
