package io.pigateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a frame's ACK latency goes, stage by stage. The gateway records a JFR event per frame when
 * it commits it and when it acknowledges it ({@code io.pigateway.FrameCommitted},
 * {@code io.pigateway.FrameAcknowledged}); the load devices note when they sent each frame and read
 * its ACK. All of these are {@link System#nanoTime()} values, which on Linux is the system-wide
 * CLOCK_MONOTONIC, so both processes' times line up and each frame's path splits into:
 * <pre>
 * sent ─► received ─► queued ─► taken by a writer ─► transaction started ─► committed ─► ACK written ─► ACK read
 *  to gateway  admission  queue wait        batch wait            transaction   ACK wake-up     to device
 * </pre>
 * Also from the recording: the gateway's garbage collections, and how busy the machine's CPUs were
 * (all processes, the other agents' included) and how much of that was the gateway's.
 */
final class StageTrace {
    private static final String[] STAGES = {"to gateway", "admission", "queue wait", "batch wait", "transaction",
        "ACK wake-up", "to device"};

    private final Path file;

    StageTrace(Path file) {
        this.file = file;
    }

    /**
     * JVM options for the gateway: a recording of the two frame events, the collections and the CPU
     * load once a second only (settings=none: no sampling, so the trace barely changes what it
     * measures), named so that {@link #stop} can end it before the phases that measure memory. The
     * {@code +} adds a setting for an event that settings=none leaves out.
     */
    List<String> jvmOptions() {
        return List.of("-XX:StartFlightRecording:name=stages,settings=none,+jdk.GarbageCollection#enabled=true,"
                + "+jdk.CPULoad#enabled=true,+jdk.CPULoad#period=1s,filename=" + file);
    }

    /** Ends the recording and writes it to the file. */
    void stop(long pid) throws IOException, InterruptedException {
        String out = ProcessMemory.jcmd(pid, "JFR.stop", "name=stages", "filename=" + file);
        if (!Files.isRegularFile(file)) {
            throw new IOException("no flight recording in " + file + ": " + out.strip());
        }
    }

    /**
     * Report lines: each stage's p50 and p99, what the slowest 1 % of readings spent where, and the
     * collections and CPU load from {@code from} on.
     */
    List<String> report(List<LoadDevice.Frame> frames, Instant from) throws IOException {
        Map<String, RecordedEvent> committed = new HashMap<>();
        Map<String, RecordedEvent> acked = new HashMap<>();
        long gcs = 0;
        Duration gcPauses = Duration.ZERO;
        Duration gcLongest = Duration.ZERO;
        double machineCpu = 0;
        double gatewayCpu = 0;
        int cpuSamples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getStartTime().isBefore(from)) {
                continue;
            }
            switch (e.getEventType().getName()) {
                case "io.pigateway.FrameCommitted" -> committed.put(key(e.getString("device"), e.getLong("lastSeq")), e);
                case "io.pigateway.FrameAcknowledged" -> acked.put(key(e.getString("device"), e.getLong("lastSeq")), e);
                case "jdk.GarbageCollection" -> {
                    gcs++;
                    gcPauses = gcPauses.plus(e.getDuration("sumOfPauses"));
                    Duration longest = e.getDuration("longestPause");
                    gcLongest = longest.compareTo(gcLongest) > 0 ? longest : gcLongest;
                }
                case "jdk.CPULoad" -> {
                    machineCpu += e.getFloat("machineTotal");
                    gatewayCpu += e.getFloat("jvmUser") + e.getFloat("jvmSystem");
                    cpuSamples++;
                }
                default -> {
                }
            }
        }
        List<long[]> traced = new ArrayList<>(); // per frame: readings, total, then one value per stage
        for (LoadDevice.Frame f : frames) {
            RecordedEvent c = committed.get(key(f.device(), f.lastSeq()));
            RecordedEvent a = acked.get(key(f.device(), f.lastSeq()));
            if (c == null || a == null) {
                continue;
            }
            long received = a.getLong("receivedAt");
            long queued = c.getLong("queuedAt");
            long taken = queued + c.getLong("queueWait");
            long started = taken + c.getLong("batchWait");
            long done = c.getLong("committedAt");
            long ackWritten = a.getLong("ackedAt");
            traced.add(new long[] {f.count(), f.ackReadAt() - f.sentAt(), received - f.sentAt(), queued - received,
                taken - queued, started - taken, done - started, ackWritten - done, f.ackReadAt() - ackWritten});
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format("stages of %,d of %,d frames traced (ms, per reading: p50 / p99 / mean of the slowest 1 %% of readings):",
                traced.size(), frames.size()));
        if (!traced.isEmpty()) {
            List<long[]> slowest = slowest(traced, 0.01);
            StringBuilder line = new StringBuilder();
            for (int s = 0; s < STAGES.length; s++) {
                line.append(String.format("%s%s %.1f / %.1f / %.1f", s == 0 ? "" : "; ", STAGES[s],
                        percentile(traced, 2 + s, 50), percentile(traced, 2 + s, 99), mean(slowest, 2 + s)));
            }
            lines.add(line.toString());
            lines.add(String.format("the slowest 1 %% of readings: %.1f ms on average end to end", mean(slowest, 1)));
        }
        lines.add(String.format("gateway collections during the phase: %d, pauses %d ms in all, longest %.1f ms", gcs,
                gcPauses.toMillis(), gcLongest.toNanos() / 1e6));
        if (cpuSamples > 0) {
            lines.add(String.format("CPU busy (both cores, every process on the machine): %.0f %% on average, of which the"
                    + " gateway %.0f %%", 100 * machineCpu / cpuSamples, 100 * gatewayCpu / cpuSamples));
        }
        return lines;
    }

    private static String key(String device, long lastSeq) {
        return device + '/' + lastSeq;
    }

    /** The frames holding the slowest {@code share} of readings by total latency. */
    private static List<long[]> slowest(List<long[]> frames, double share) {
        List<long[]> sorted = new ArrayList<>(frames);
        sorted.sort(Comparator.comparingLong((long[] f) -> f[1]).reversed());
        long readings = frames.stream().mapToLong(f -> f[0]).sum();
        List<long[]> top = new ArrayList<>();
        long taken = 0;
        for (long[] f : sorted) {
            if (taken >= Math.max(1, readings * share)) {
                break;
            }
            top.add(f);
            taken += f[0];
        }
        return top;
    }

    private static double percentile(List<long[]> frames, int column, double p) {
        Percentiles all = new Percentiles();
        frames.forEach(f -> all.add(f[column], (int) f[0]));
        return all.millis(p);
    }

    /** Mean over readings, in ms. */
    private static double mean(List<long[]> frames, int column) {
        double sum = 0;
        long readings = 0;
        for (long[] f : frames) {
            sum += (double) f[column] * f[0];
            readings += f[0];
        }
        return readings == 0 ? Double.NaN : sum / readings / 1e6;
    }
}
