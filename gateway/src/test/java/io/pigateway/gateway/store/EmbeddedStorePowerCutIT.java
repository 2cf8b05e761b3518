package io.pigateway.gateway.store;

import static io.pigateway.gateway.store.Fixtures.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.testing.ForgetfulDisk;
import io.pigateway.testing.ForgetfulFilePath;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store on a disk that forgets every unsynced write at a power cut ({@link ForgetfulDisk}),
 * cut at random moments: while it opens (also at its very first start, during the migrations), while
 * it commits, while it syncs. After every cut it must open again and hold every reading it acknowledged
 * (completed the future of), once. Set {@code -Dpowercut.seed=N} to repeat a run.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
@ExtendWith(EmbeddedFileSystem.ResetAfterEach.class)
class EmbeddedStorePowerCutIT {
    static final String DEVICE = "cut-dev";
    private static final int CUTS = 24;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedReadingSurvivesAPowerCutAtAnyMomentAndTheStoreAlwaysOpensAgain() throws Exception {
        runCuts(0.0);
    }

    @Test
    void alsoWhenThePageCacheWroteBackARandomPartOfTheUnsyncedWrites() throws Exception {
        runCuts(0.5);
    }

    private void runCuts(double keepChance) throws Exception {
        long seed = Long.getLong("powercut.seed", System.nanoTime());
        String context = "seed " + seed + " (repeat with -Dpowercut.seed=" + seed + "), keepChance " + keepChance;
        Random random = new Random(seed);
        ForgetfulDisk disk = new ForgetfulDisk(seed, keepChance);
        WriterConfig writers = Fixtures.writers(2, 200, Duration.ZERO, 100_000);
        List<String> failures = new ArrayList<>();
        Path file = null;
        BitSet acked = new BitSet();
        long stream = 0;
        long nextSeq = 1;
        int opened = 0;
        long ackedTotal = 0;
        for (int round = 1; round <= CUTS; round++) {
            if (round % 6 == 1) { // a new database: the next cuts may hit its first start and migrations
                file = dir.resolve("db" + round).resolve("pi-gateway");
                acked.clear();
                stream++;
                nextSeq = 1;
            }
            EmbeddedFileSystem.use(ForgetfulFilePath.register(disk));
            Round r = new Round(StoreConfig.embedded(file), writers, disk, acked, stream, nextSeq);
            Thread worker = Thread.ofPlatform().name("power-cut-round-" + round).start(r);
            Thread.sleep(random.nextInt(round % 6 == 1 ? 1500 : 900));
            String cut = disk.cut();
            r.stop.set(true);
            worker.join(Duration.ofSeconds(30));
            assertTrue(!worker.isAlive(), "round " + round + " ended after the cut; " + context);
            r.closeQuietly();
            nextSeq = r.nextSeq;
            opened += r.opened ? 1 : 0;
            ackedTotal += r.ackedThisRound.get();
            System.out.println("round " + round + ": " + cut + "; store opened: " + r.opened + ", "
                    + r.ackedThisRound + " readings acknowledged, " + r.checked + " checked after the last cut");
            String name = "round " + round + ": ";
            failures.addAll(r.failures.stream().map(f -> name + f).toList());
        }
        // The last check: open once more without cutting.
        EmbeddedFileSystem.use(ForgetfulFilePath.register(disk));
        try (Store store = Store.open(StoreConfig.embedded(file), writers)) {
            failures.addAll(missing(file, stream, acked));
        }
        System.out.println(CUTS + " power cuts (" + context + "): store opened in " + opened + " rounds, "
                + ackedTotal + " readings acknowledged, " + disk.forces() + " syncs; failures: " + failures);
        assertEquals(List.of(), failures, context);
        assertTrue(opened >= CUTS / 3 && ackedTotal > 0, "enough rounds got as far as opening the store and"
                + " writing: " + opened + " rounds, " + ackedTotal + " readings acknowledged; " + context);
    }

    /** Acknowledged readings of {@code stream} not in the store, and duplicates; empty when all is well. */
    static List<String> missing(Path file, long stream, BitSet acked) throws Exception {
        BitSet found = new BitSet();
        long rows = 0;
        try (Connection c = DriverManager.getConnection(EmbeddedFileSystem.url(file), "", "");
             PreparedStatement s = c.prepareStatement("SELECT seq FROM readings WHERE device_id = ? AND stream_id = ?")) {
            s.setString(1, DEVICE);
            s.setLong(2, stream);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    found.set(Math.toIntExact(rs.getLong(1)));
                    rows++;
                }
            }
        }
        List<String> out = new ArrayList<>();
        BitSet lost;
        synchronized (acked) {
            lost = (BitSet) acked.clone();
        }
        lost.andNot(found);
        if (!lost.isEmpty()) {
            out.add(lost.cardinality() + " acknowledged readings missing, first seq " + lost.nextSetBit(0));
        }
        if (rows != found.cardinality()) {
            out.add((rows - found.cardinality()) + " readings stored twice");
        }
        return out;
    }

    /** One run of the store until the power goes: open, check what the earlier rounds acknowledged, write. */
    private static final class Round implements Runnable {
        final StoreConfig config;
        final WriterConfig writers;
        final ForgetfulDisk disk;
        final BitSet acked;
        final long stream;
        final AtomicBoolean stop = new AtomicBoolean();
        final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile long nextSeq;
        volatile boolean opened;
        volatile int checked;
        final java.util.concurrent.atomic.AtomicInteger ackedThisRound = new java.util.concurrent.atomic.AtomicInteger();
        private volatile Store store;

        Round(StoreConfig config, WriterConfig writers, ForgetfulDisk disk, BitSet acked, long stream, long nextSeq) {
            this.config = config;
            this.writers = writers;
            this.disk = disk;
            this.acked = acked;
            this.stream = stream;
            this.nextSeq = nextSeq;
        }

        @Override
        public void run() {
            long cutsBefore = disk.cuts();
            try {
                store = Store.open(config, writers);
            } catch (StoreException | RuntimeException e) {
                if (disk.cuts() == cutsBefore) {
                    failures.add("the store did not open before any cut: " + e);
                }
                return;
            }
            opened = true;
            try {
                synchronized (acked) {
                    checked = acked.cardinality();
                }
                failures.addAll(missing(config.embeddedPath(), stream, acked));
            } catch (Exception e) {
                if (disk.cuts() == cutsBefore) {
                    failures.add("checking the acknowledged readings failed before any cut: " + e);
                }
                return;
            }
            List<CompletableFuture<Void>> inFlight = new ArrayList<>();
            try {
                while (!stop.get()) {
                    inFlight.removeIf(CompletableFuture::isDone);
                    if (inFlight.size() >= 8) {
                        CompletableFuture.anyOf(inFlight.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
                        continue;
                    }
                    long first = nextSeq;
                    int n = 1 + (int) (first % 40);
                    nextSeq = first + n;
                    CompletableFuture<Void> f = submit(store, Fixtures.batch(DEVICE, stream, first, n));
                    f.thenRun(() -> {
                        synchronized (acked) {
                            acked.set((int) first, (int) first + n);
                        }
                        ackedThisRound.addAndGet(n);
                    });
                    inFlight.add(f);
                }
            } catch (Exception e) {
                // The power went: the futures fail; nothing more to do.
            }
        }

        void closeQuietly() {
            Store s = store;
            if (s != null) {
                s.close(Duration.ofSeconds(5));
            }
        }

        @Override
        public String toString() {
            return "stream " + stream;
        }
    }
}
