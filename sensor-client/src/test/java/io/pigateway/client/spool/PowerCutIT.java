package io.pigateway.client.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.client.clock.DeviceClock;
import io.pigateway.client.config.GatewayAddress;
import io.pigateway.client.config.GatewayLinkConfig;
import io.pigateway.client.config.ReconnectConfig;
import io.pigateway.client.config.SendConfig;
import io.pigateway.client.config.SpoolConfig;
import io.pigateway.client.link.GatewayLink;
import io.pigateway.testing.Await;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.ListenConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.store.EmbeddedFileSystem;
import io.pigateway.testing.ForgetfulDisk;
import io.pigateway.testing.ForgetfulFilePath;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power cuts at random moments, end to end: a gateway on the embedded store and two sensor clients
 * with their spools, each machine on its own {@link ForgetfulDisk} (every write not yet synced is
 * gone after a cut; on the second client's disk, half of them are kept, some torn), over real
 * loopback sockets. Each cut takes the gateway, one client, or all of
 * them, at a random moment (also while the gateway opens its store for the first time); what was cut
 * starts again on what its disk kept and the clients resend from their spools as the protocol says.
 * The ACKs are counted where they matter, in the client: every reading the client forgot because the
 * gateway acknowledged it must be in the store, once. Set {@code -Dpowercut.seed=N} to repeat a run.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class PowerCutIT {
    private static final int CUTS = 24;
    private static final List<String> DEVICES = List.of("field-pi-1", "field-pi-2");
    private static final SensorInfo TEMPERATURE = new SensorInfo("temperature", "°C", "simulated.temperature", true);

    @TempDir
    Path dir;

    /**
     * Per device and stream, the seqs of the readings the client forgot because an ACK covered them.
     * Not simply 1..N: after a cut, a spool may leave seqs unused that it had not sent (a damaged
     * record followed by good ones).
     */
    private final Map<String, BitSet> acked = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();

    @AfterEach
    void backToTheRealDisk() {
        EmbeddedFileSystem.reset();
    }

    @Test
    void everyReadingAClientSawAcknowledgedIsStoredOnceAfterPowerCutsAtRandomMomentsAndTheStoreAlwaysOpens()
            throws Exception {
        long seed = Long.getLong("powercut.seed", System.nanoTime());
        String context = "seed " + seed + " (repeat with -Dpowercut.seed=" + seed + ")";
        Random random = new Random(seed);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Site gateway = new Site(new ForgetfulDisk(seed, 0));
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < DEVICES.size(); i++) {
            // The first client's disk forgets every unsynced write, the second's keeps half of them (some torn).
            clients.add(new Client(DEVICES.get(i), new ForgetfulDisk(seed + 1 + i, i * 0.5), port));
        }
        int gatewayCuts = 0;
        int clientCuts = 0;
        try {
            for (int round = 1; round <= CUTS; round++) {
                gateway.startAsync(port);
                for (Client c : clients) {
                    c.startIfDown();
                }
                Thread.sleep(100 + random.nextInt(round == 1 ? 600 : 1400));
                int victim = random.nextInt(4); // 0: the gateway, 1, 2: one client, 3: everything
                if (victim == 0 || victim == 3) {
                    gatewayCuts++;
                    System.out.println("round " + round + ": gateway: " + gateway.cut());
                }
                for (int i = 0; i < clients.size(); i++) {
                    if (victim == 3 || victim == i + 1) {
                        clientCuts++;
                        System.out.println("round " + round + ": " + DEVICES.get(i) + ": " + clients.get(i).cut());
                    }
                }
            }
            // The power stays on: everything the spools still hold reaches the store.
            gateway.startAsync(port);
            gateway.awaitStarted();
            for (Client c : clients) {
                c.startIfDown();
                c.stopSampling();
            }
            for (Client c : clients) {
                Await.until(c.device + " has everything acknowledged", Duration.ofSeconds(30), () -> c.held() == 0);
            }
        } finally {
            for (Client c : clients) {
                c.stop();
            }
            gateway.stop();
        }
        EmbeddedFileSystem.reset();
        StoreConfig store = StoreConfig.embedded(gateway.storePath());
        long ackedReadings = 0;
        for (Map.Entry<String, BitSet> e : acked.entrySet()) {
            String[] key = e.getKey().split("/");
            BitSet missing;
            synchronized (e.getValue()) {
                missing = (BitSet) e.getValue().clone();
            }
            ackedReadings += missing.cardinality();
            long total = missing.cardinality();
            missing.andNot(stored(store, key[0], Long.parseUnsignedLong(key[1], 16)));
            if (!missing.isEmpty()) {
                failures.add(e.getKey() + ": " + missing.cardinality() + " of " + total
                        + " acknowledged readings missing, seq " + missing);
            }
        }
        long rows = TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM readings");
        long keys = TestStores.shared().queryLong(store,
                "SELECT COUNT(*) FROM (SELECT DISTINCT device_id, stream_id, seq FROM readings) k");
        System.out.println(CUTS + " power cuts (" + gatewayCuts + " of the gateway, " + clientCuts + " of a client; "
                + context + "): gateway started " + gateway.starts + " times, " + ackedReadings
                + " readings acknowledged in " + acked.size() + " streams, " + rows + " rows stored; "
                + gateway.disk.forces() + " gateway syncs; failures: " + failures);
        assertEquals(List.of(), failures, context);
        assertEquals(keys, rows, "no reading stored twice; " + context);
        assertTrue(gatewayCuts >= 5 && ackedReadings > 1000, "the run cut the gateway " + gatewayCuts
                + " times and acknowledged " + ackedReadings + " readings; " + context);
    }

    /** The seqs of the stream in the store. */
    private static BitSet stored(StoreConfig store, String device, long stream) throws Exception {
        BitSet seqs = new BitSet();
        try (Connection c = TestStores.connect(store);
             PreparedStatement s = c.prepareStatement("SELECT seq FROM readings WHERE device_id = ? AND stream_id = ?")) {
            s.setString(1, device);
            s.setLong(2, stream);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    seqs.set(Math.toIntExact(rs.getLong(1)));
                }
            }
        }
        return seqs;
    }

    /** The gateway's machine: the gateway on the embedded store, started in the background so a cut can hit its start. */
    private final class Site {
        final ForgetfulDisk disk;
        int starts;
        private Thread starting;
        private volatile Gateway running;
        private volatile boolean up;

        Site(ForgetfulDisk disk) {
            this.disk = disk;
        }

        Path storePath() {
            return dir.resolve("gateway").resolve("store");
        }

        void startAsync(int port) throws Exception {
            if (up) {
                return;
            }
            up = true;
            starts++;
            EmbeddedFileSystem.use(ForgetfulFilePath.register(disk));
            long cutsBefore = disk.cuts();
            io.pigateway.gateway.config.GatewayConfig config = io.pigateway.gateway.testing.TestGatewayConfig
                    .forTests(dir.resolve("gateway"))
                    .withListen(new ListenConfig(InetAddress.getLoopbackAddress(), port, 128));
            Files.createDirectories(storePath().getParent());
            starting = Thread.ofPlatform().name("gateway-start-" + starts).start(() -> {
                try {
                    running = Gateway.start(config);
                } catch (Exception e) {
                    if (disk.cuts() == cutsBefore) {
                        failures.add("gateway start " + starts + " failed without a power cut: " + e);
                    }
                }
            });
        }

        void awaitStarted() throws Exception {
            starting.join(Duration.ofSeconds(30));
            assertTrue(running != null, "the gateway started; failures: " + failures);
        }

        String cut() throws Exception {
            String what = disk.cut();
            stop();
            return what;
        }

        void stop() throws InterruptedException {
            if (starting != null) {
                starting.join(Duration.ofSeconds(30));
            }
            Gateway g = running;
            running = null;
            up = false;
            if (g != null) {
                g.close();
            }
        }
    }

    /** A field Pi: a sampler appending 100 readings a second into its spool, and the link sending them. */
    private final class Client {
        final String device;
        final ForgetfulDisk disk;
        final int port;
        private Spool spool;
        private GatewayLink link;
        private Thread sampler;
        private volatile boolean sampling = true;

        Client(String device, ForgetfulDisk disk, int port) {
            this.device = device;
            this.disk = disk;
            this.port = port;
        }

        void startIfDown() {
            if (spool != null) {
                return;
            }
            int generation = disk.generation();
            SpoolConfig config = new SpoolConfig(dir.resolve("client-" + device), 8L << 20, 256L << 10,
                    SpoolConfig.FullPolicy.DROP_OLDEST, Duration.ofMillis(50), 20);
            spool = Spool.open(config, device, new Spool.Options(path -> disk.open(path, generation), System::nanoTime,
                    System::currentTimeMillis, true));
            String stream = device + "/" + Long.toHexString(spool.streamId());
            ReadingSpool tap = new AckTap(spool, stream);
            link = new GatewayLink(device, null, new GatewayLinkConfig(List.of(new GatewayAddress("127.0.0.1", port)),
                    Duration.ofSeconds(2), Duration.ofSeconds(30)),
                    new ReconnectConfig(Duration.ofMillis(20), Duration.ofMillis(200)), new SendConfig(50, Duration.ofMillis(10)),
                    tap, List.of(TEMPERATURE, Spool.DROPPED_SENSOR_INFO), DeviceClock.system());
            spool.onFlushed(link::readingsAdded);
            link.start();
            Spool s = spool;
            sampler = Thread.ofPlatform().name("sampler-" + device).daemon().start(() -> {
                try {
                    for (int i = 0; sampling; i++) {
                        s.append("temperature", System.currentTimeMillis(), 20 + (i % 100) / 10.0);
                        Thread.sleep(10);
                    }
                } catch (InterruptedException | IllegalStateException e) {
                    // stopped, or the spool closed under it
                }
            });
        }

        void stopSampling() throws InterruptedException {
            sampling = false;
            sampler.join(Duration.ofSeconds(5));
            spool.sync();
        }

        int held() {
            return spool.size();
        }

        String cut() throws Exception {
            String what = disk.cut();
            sampler.interrupt();
            sampler.join(Duration.ofSeconds(5));
            link.close();
            spool.close(); // its files are fenced: nothing of this reaches the disk
            spool = null;
            return what;
        }

        void stop() throws InterruptedException {
            if (spool == null) {
                return;
            }
            sampling = false;
            sampler.join(Duration.ofSeconds(5));
            link.shutdown(Duration.ofSeconds(5));
            spool.close();
            spool = null;
        }
    }

    /** The client's buffer as the link sees it, noting every ACK. */
    private final class AckTap implements ReadingSpool {
        private final Spool spool;
        private final String stream;

        AckTap(Spool spool, String stream) {
            this.spool = spool;
            this.stream = stream;
        }

        @Override
        public long streamId() {
            return spool.streamId();
        }

        @Override
        public Reading append(String sensor, long timestampMillis, double value) {
            return spool.append(sensor, timestampMillis, value);
        }

        @Override
        public List<Reading> peekUnsent(long afterSeq, int max) {
            return spool.peekUnsent(afterSeq, max);
        }

        /** Notes the readings this ACK frees, as the spool holds them, then lets the spool forget them. */
        @Override
        public int ack(long upToSeq) {
            BitSet seqs = acked.computeIfAbsent(stream, k -> new BitSet());
            for (Reading r : spool.peekUnsent(0, 100_000)) {
                if (r.seq() > upToSeq) {
                    break;
                }
                synchronized (seqs) {
                    seqs.set(Math.toIntExact(r.seq()));
                }
            }
            return spool.ack(upToSeq);
        }

        /** Not an ACK: a refused frame is forgotten as lost, not noted as acknowledged. */
        @Override
        public int discard(long upToSeq) {
            return spool.discard(upToSeq);
        }

        @Override
        public int size() {
            return spool.size();
        }

        @Override
        public Counts counts() {
            return spool.counts();
        }
    }
}
