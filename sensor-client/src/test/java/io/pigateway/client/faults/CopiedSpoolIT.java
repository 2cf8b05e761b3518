package io.pigateway.client.faults;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.client.ClientStats;
import io.pigateway.client.SensorClient;
import io.pigateway.client.config.SensorClientConfig;
import io.pigateway.common.Settings;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.FileTrees;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies of one spool directory, as an SD card restored from an old image or cloned into a second
 * Pi leaves them: every reading sampled is stored, or refused and reported as dropped; none is
 * silently discarded as a "duplicate" of another reading that happened to get the same seq.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CopiedSpoolIT {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aSpoolRestoredFromAnEarlierCopyLosesNoNewReadingAsADuplicate(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        String device = "restored-pi";
        Path spool = dir.resolve("spool");
        Path copy = dir.resolve("copy");
        try (Gateway gateway = Gateway.start(TestGatewayConfig.forTests(dir).withStore(store))) {
            SensorClientConfig config = config(device, gateway, spool);
            ClientStats first = run(config, original -> {
                until("the original has readings acknowledged", WAIT, () -> original.stats().acknowledged() > 200);
                FileTrees.copy(spool, copy); // the image, taken while it runs
                long atCopy = original.stats().acknowledged();
                until("the original goes on after the copy", WAIT, () -> original.stats().acknowledged() > atCopy + 300);
            });
            FileTrees.delete(spool);
            FileTrees.copy(copy, spool); // the card restored from the image
            ClientStats second = run(config, restored -> until("the restored client has new readings acknowledged", WAIT,
                    () -> restored.stats().acknowledged() > restored.stats().recovered() + 300));
            System.out.println("restored spool: original " + first + "; restored " + second);
            assertNothingSwallowed(store, device, first, second);
        }
    }

    @Test
    void twoClientsStartedFromCopiesOfOneSpoolLoseNoReadingAsADuplicate(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        String device = "cloned-pi";
        Path spoolA = dir.resolve("a");
        Path spoolB = dir.resolve("b");
        try (Gateway gateway = Gateway.start(TestGatewayConfig.forTests(dir).withStore(store))) {
            ClientStats before = run(config(device, gateway, spoolA), image ->
                    until("readings acknowledged before the image is taken", WAIT, () -> image.stats().acknowledged() > 200));
            FileTrees.copy(spoolA, spoolB); // one image, two Pis
            SensorClient a = SensorClient.start(config(device, gateway, spoolA));
            SensorClient b = SensorClient.start(config(device, gateway, spoolB));
            ClientStats endA;
            ClientStats endB;
            try {
                until("both clones have sampled and had readings acknowledged", WAIT,
                        () -> a.stats().sampled() > 300 && b.stats().sampled() > 300
                                && a.stats().acknowledged() > 0 && b.stats().acknowledged() > 0);
            } finally {
                CompletableFuture<ClientStats> stopA = CompletableFuture.supplyAsync(a::shutdown);
                endB = b.shutdown();
                endA = stopA.join();
            }
            System.out.println("clones: before " + before + "; a " + endA + "; b " + endB);
            assertNothingSwallowed(store, device, before, endA, endB);
        }
    }

    /** What a test does with a running client. */
    private interface WhileRunning {
        void accept(SensorClient client) throws Exception;
    }

    /** Starts a client, does {@code action} with it, and shuts it down (also when the action fails): its final stats. */
    private static ClientStats run(SensorClientConfig config, WhileRunning action) throws Exception {
        SensorClient client = SensorClient.start(config);
        ClientStats end;
        try {
            action.accept(client);
        } finally {
            end = client.shutdown();
        }
        return end;
    }

    /** Sampled = stored + reported as dropped, over every run; nothing left pending. */
    private static void assertNothingSwallowed(StoreConfig store, String device, ClientStats... runs) throws Exception {
        long sampled = 0;
        long dropped = 0;
        for (ClientStats s : runs) {
            assertEquals(0, s.pending(), "everything acknowledged or reported at the end: " + s);
            sampled += s.sampled();
            dropped += s.dropped();
        }
        TestStores db = TestStores.shared();
        long rows = db.queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = ?", device);
        long distinct = db.queryLong(store, "SELECT COUNT(*) FROM (SELECT DISTINCT stream_id, seq FROM readings"
                + " WHERE device_id = ?) k", device);
        System.out.printf("%s: %d readings sampled, %d stored, %d refused and reported, %d swallowed%n", device, sampled,
                rows, dropped, sampled - rows - dropped);
        assertEquals(rows, distinct);
        assertEquals(sampled, rows + dropped, "every reading sampled is stored or reported as dropped; "
                + (sampled - rows - dropped) + " were swallowed");
    }

    private static SensorClientConfig config(String device, Gateway gateway, Path spoolDir) throws Exception {
        Map<String, String> settings = Faults.clientSettings(device, "127.0.0.1:" + gateway.address().getPort());
        settings.put("spool.dir", spoolDir.toString());
        return SensorClientConfig.from(Settings.of("copied-spool test", settings));
    }
}
