package io.pigateway.client.spool;

import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.protocol.Reading;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash, several times: a child JVM appends to a spool and is killed with SIGKILL at a
 * random moment. After each kill, recovery must hold every reading the child had been allowed to
 * send and that was not acknowledged, and the next seq must be above every seq it could have sent.
 */
class SpoolCrashIT {
    private static final int ROUNDS = 6;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aSpoolKilledAtRandomMomentsKeepsEveryFlushedReadingAndTheSeqGoesOn(@TempDir Path base) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String java = ProcessHandle.current().info().command().orElseThrow();
        long stream = 0;
        long highestSendable = 0;
        int withSyncs = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            String at = "round " + round + " (seed " + seed + ")";
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    SpoolCrashChild.class.getName(), base.toString()).redirectErrorStream(true).start();
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            Thread reader = Thread.ofPlatform().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (java.io.IOException e) {
                    // the child is gone
                }
            });
            until(at + ": the child started", Duration.ofSeconds(20), () -> {
                assertTrue(child.isAlive(), at + ": the child ended early: " + lines);
                return lines.stream().anyMatch(l -> l.startsWith("START "));
            });
            Thread.sleep(random.nextInt(400));
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no last flush
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), at);
            reader.join(5000);

            long started = 0;
            long startStream = 0;
            long synced = 0;
            long acked = 0;
            for (String line : List.copyOf(lines)) {
                String[] w = line.split(" ");
                switch (w[0]) {
                    case "START" -> {
                        startStream = Long.parseLong(w[1]);
                        started = Long.parseLong(w[2]);
                    }
                    case "SYNCED" -> synced = Math.max(synced, Long.parseLong(w[1]));
                    case "ACKED" -> acked = Math.max(acked, Long.parseLong(w[1]));
                    default -> { }
                }
            }
            assertTrue(started > 0, at + ": " + lines);
            if (round == 1) {
                stream = startStream;
            }
            assertEquals(stream, startStream, at + ": the same stream across restarts");
            assertTrue(started > highestSendable, at + ": started at seq " + started + ", but " + highestSendable
                    + " may have been sent already");
            if (synced > 0) {
                withSyncs++;
            }

            try (Spool spool = Spool.open(SpoolCrashChild.config(base), SpoolCrashChild.DEVICE,
                    new Spool.Options(ChannelOpener.FILES, System::nanoTime, System::currentTimeMillis, false))) {
                assertEquals(stream, spool.streamId(), at);
                RecoveryReport r = spool.recovery();
                assertTrue(r.nextSeq() > Math.max(synced, highestSendable),
                        at + ": next seq " + r.nextSeq() + " but seq " + synced + " was sendable");
                List<Reading> held = spool.peekUnsent(0, Integer.MAX_VALUE);
                Set<Long> seqs = new HashSet<>();
                long previous = 0;
                for (Reading reading : held) {
                    assertTrue(reading.seq() > previous, at + ": seqs rise");
                    previous = reading.seq();
                    seqs.add(reading.seq());
                    assertEquals(SpoolCrashChild.SENSOR, reading.sensor(), at);
                }
                for (long s = Math.max(acked + 1, started); s <= synced; s++) {
                    if (!seqs.contains(s)) {
                        throw new AssertionError(at + ": seq " + s + " was flushed and sendable, not acknowledged (up to "
                                + acked + "), and is gone after the crash; recovery: " + r);
                    }
                }
                System.out.printf("%s: killed after seq %d was sendable (acknowledged up to %d); recovered %d readings,"
                        + " next seq %d%n", at, synced, acked, held.size(), r.nextSeq());
            }
            highestSendable = Math.max(highestSendable, synced);
        }
        assertTrue(withSyncs >= ROUNDS / 2, "most rounds got as far as flushing: " + withSyncs);
    }
}
