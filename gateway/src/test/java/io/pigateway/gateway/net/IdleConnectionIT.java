package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.pigateway.testing.TestDevice;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: what an idle device's connection holds, as structure rather than as a heap figure (which
 * would vary with the JIT and the GC): after its handshake it waits for frames on a fresh virtual
 * thread, whose stack (kept on the heap while it is parked) holds the frame loop and nothing of the
 * handshake, and it has no ACK machinery until its first READINGS frame. The heap figures are
 * {@code MemoryProbe}'s (docs/PERFORMANCE.md).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdleConnectionIT {
    static final String ACK_SENDER = AckSender.class.getName();

    @Test
    void anIdleDeviceWaitsOnAFreshThreadAndHasNoAckMachineryUntilItsFirstFrame(@TempDir Path dir) throws Exception {
        try (RunningGateway g = RunningGateway.startEmbedded(dir, c -> c)) {
            long sendersBefore = liveInstances(ACK_SENDER);
            try (TestDevice d = TestDevice.connect(g.address(), "quiet", 1)) {
                List<String> stack = awaitParkedInRead(dir, "device-quiet");
                assertTrue(stack.stream().anyMatch(f -> f.contains("DeviceConnection.frames")), "the frame loop: " + stack);
                assertFalse(stack.stream().anyMatch(f -> f.contains("DeviceConnection.run") || f.contains("Listener")),
                        "the idle device's thread is not the one that ran its handshake: " + stack);
                assertEquals(sendersBefore, liveInstances(ACK_SENDER), "no AckSender before the first frame");

                d.sendRange(1, 10, 10);
                d.awaitAck(10, Duration.ofSeconds(15));
                assertEquals(sendersBefore + 1, liveInstances(ACK_SENDER), "an AckSender once frames arrive");
                assertTrue(threads(dir).stream().anyMatch(t -> t.name.equals("device-quiet-ack")), "and its thread");
            }
        }
    }

    /** A thread in a plain-text thread dump: its name and its frames, innermost first. */
    record DumpedThread(String name, List<String> frames) {
    }

    /**
     * Waits until the device has one thread (named {@code name}; no ACK thread, and the handshake's has
     * ended) and it is parked reading a frame; returns its stack.
     */
    static List<String> awaitParkedInRead(Path dir, String name) throws Exception {
        while (true) {
            List<DumpedThread> ofDevice = threads(dir).stream().filter(t -> t.name.startsWith(name)).toList();
            if (ofDevice.size() == 1 && ofDevice.getFirst().name.equals(name)) {
                List<String> frames = ofDevice.getFirst().frames;
                if (!frames.isEmpty() && frames.getFirst().contains("park")
                        && frames.stream().anyMatch(f -> f.contains("FrameReader.read"))) {
                    return frames;
                }
            }
            Thread.sleep(20); // bounded by the class's @Timeout
        }
    }

    /** Every thread of this JVM, virtual ones included (which Thread.getAllStackTraces leaves out). */
    static List<DumpedThread> threads(Path dir) throws Exception {
        Path file = Files.createTempFile(dir, "threads", ".txt");
        Files.delete(file); // the dump refuses to overwrite
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
        List<DumpedThread> threads = new ArrayList<>();
        Pattern header = Pattern.compile("^#\\d+ \"([^\"]*)\"");
        DumpedThread current = null;
        for (String line : Files.readAllLines(file)) {
            Matcher m = header.matcher(line);
            if (m.find()) {
                current = new DumpedThread(m.group(1), new ArrayList<>());
                threads.add(current);
            } else if (current != null && line.trim().startsWith("at ")) {
                current.frames.add(line.trim());
            }
        }
        Files.delete(file);
        return threads;
    }

    /** Live instances of a class, from a heap histogram (after a full collection) of this JVM. */
    static long liveInstances(String className) throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Matcher m = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+" + Pattern.quote(className) + "(\\s|$)",
                Pattern.MULTILINE).matcher(histogram);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
