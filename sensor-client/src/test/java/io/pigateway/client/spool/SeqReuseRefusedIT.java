package io.pigateway.client.spool;

import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.client.clock.DeviceClock;
import io.pigateway.client.config.GatewayAddress;
import io.pigateway.client.config.GatewayLinkConfig;
import io.pigateway.client.config.ReconnectConfig;
import io.pigateway.client.config.SendConfig;
import io.pigateway.client.config.SpoolConfig;
import io.pigateway.client.link.GatewayLink;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backstop: a spool restored from an earlier copy by a client that does not jump its seqs (an
 * older client) reuses seqs for new readings. The real gateway refuses them instead of acknowledging
 * them as duplicates, and the client drops, counts and reports them: none is swallowed silently, and
 * the link does not loop on them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SeqReuseRefusedIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String DEVICE = "old-client";

    @Test
    void newReadingsUnderSeqsTheGatewayHoldsAreRefusedAndCountedNotSwallowed(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        SpoolConfig config = new SpoolConfig(dir.resolve("spool"), 64 * SpoolTesting.SEGMENT + SpoolConfig.META_RESERVE_BYTES,
                SpoolTesting.SEGMENT, SpoolConfig.FullPolicy.DROP_OLDEST, Duration.ofMillis(10), 100);
        try (Gateway gateway = Gateway.start(io.pigateway.gateway.testing.TestGatewayConfig.forTests(dir).withStore(store))) {
            GatewayAddress address = new GatewayAddress("127.0.0.1", gateway.address().getPort());
            run(config, address, 0, 50); // seq 1..50, acknowledged
            SpoolTesting.copy(config.dir().resolve(DEVICE), dir.resolve("image"));
            run(config, address, 1000, 50); // seq 51..100
            Path live = config.dir().resolve(DEVICE);
            try (var files = Files.list(live)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            SpoolTesting.copy(dir.resolve("image"), live);
            Spool restored = run(config, address, 2000, 50); // seq 51..100 again, other values
            TestStores db = TestStores.shared();
            long rows = db.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = ? AND sensor = 't'", DEVICE);
            long kept = db.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = ? AND value >= 1000"
                    + " AND value < 2000", DEVICE);
            ReadingCounts c = new ReadingCounts(150, rows, restored.counts().dropped());
            System.out.println("seqs reused by a restored spool without the jump: " + c);
            assertEquals(100, rows);
            assertEquals(50, kept, "the stored readings are untouched");
            assertEquals(50, c.refused(), "every reused seq refused and counted");
            assertEquals(50, restored.stats().lost(), "reported as lost in the stream's client.readings-dropped count");
            assertEquals(0, c.sampled() - c.stored() - c.refused(), "none swallowed");
        }
    }

    private record ReadingCounts(long sampled, long stored, long refused) {
    }

    /** Opens the spool without the restart jump, appends {@code n} readings, sends until none is held. */
    private static Spool run(SpoolConfig config, GatewayAddress address, int firstValue, int n) throws Exception {
        Spool spool = Spool.open(config, DEVICE, new Spool.Options(ChannelOpener.FILES, System::nanoTime,
                System::currentTimeMillis, true, () -> 0));
        GatewayLink link = new GatewayLink(DEVICE, null, new GatewayLinkConfig(List.of(address), Duration.ofSeconds(2),
                Duration.ofSeconds(30)), new ReconnectConfig(Duration.ofMillis(20), Duration.ofMillis(200)),
                new SendConfig(10, Duration.ofMillis(10)), spool, List.of(), DeviceClock.system());
        spool.onFlushed(link::readingsAdded);
        try {
            for (int i = 0; i < n; i++) {
                spool.append("t", 1_800_000_000_000L + i, firstValue + i);
            }
            link.start();
            until("nothing held", WAIT, () -> spool.size() == 0);
            link.shutdown(Duration.ofSeconds(5));
        } finally {
            link.close();
            spool.close();
        }
        return spool;
    }
}
