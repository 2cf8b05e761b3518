package io.pigateway.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.SecretFile;
import io.pigateway.gateway.auth.Authenticator;
import io.pigateway.gateway.auth.FailurePenalty;
import io.pigateway.gateway.auth.DeviceSecrets;
import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.net.DeviceRates;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.testing.TestStores;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The core every non-binary input goes through, against the embedded store. */
class IngestIT {
    private static final String SECRET = "0123456789abcdef0123";
    private static final long T0 = 1_700_000_000_000_000_000L;

    @TempDir
    Path dir;
    private StoreConfig storeConfig;
    private Store store;

    @BeforeEach
    void open() throws Exception {
        storeConfig = StoreConfig.embedded(dir.resolve("store"));
        store = Store.open(storeConfig, WriterConfig.defaults());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static final InetAddress HERE = InetAddress.getLoopbackAddress();

    private Ingest ingest(LimitsConfig limits) throws Exception {
        Path devices = dir.resolve("devices");
        Files.writeString(devices, "pi-attic " + SECRET + "\n");
        Files.setPosixFilePermissions(devices, PosixFilePermissions.fromString("rw-------"));
        AuthConfig auth = AuthConfig.secrets(devices, DeviceSecrets.load(SecretFile.at(devices)));
        return new Ingest(store, new Authenticator(auth), new FailurePenalty(), new DeviceRates(limits), limits, Metrics.NONE,
                Duration.ofSeconds(10), Clock.systemUTC());
    }

    private long rows(String where) throws Exception {
        return TestStores.shared().queryLong(storeConfig, "SELECT COUNT(*) FROM readings WHERE " + where);
    }

    @Test
    void aRetriedRequestWithTimesIsStoredOnceAndOneWithoutTimesTwice() throws Exception {
        Ingest ingest = ingest(LimitsConfig.defaults());
        List<Sample> timed = List.of(Sample.of("air.temp", 21.5, T0), Sample.of("air.hum", 40, T0),
                Sample.of("air.temp", 21.6, T0 + 1_000_000_000L));
        ingest.store("test", "pi-attic", "127.0.0.1:1", "test.field", timed);
        ingest.store("test", "pi-attic", "127.0.0.1:1", "test.field", timed);
        assertEquals(3, rows("device_id = 'pi-attic'"));

        List<Sample> untimed = List.of(Sample.of("air.temp", 22, Sample.NO_TIME));
        ingest.store("test", "pi-attic", "127.0.0.1:1", "test.field", untimed);
        ingest.store("test", "pi-attic", "127.0.0.1:1", "test.field", untimed);
        assertEquals(5, rows("device_id = 'pi-attic'"));
        assertEquals(2, TestStores.shared().queryLong(storeConfig,
                "SELECT COUNT(*) FROM sensors WHERE device_id = 'pi-attic' AND kind = 'test.field'"));
    }

    @Test
    void anotherValueUnderAStoredKeyIsAConflict() throws Exception {
        Ingest ingest = ingest(LimitsConfig.defaults());
        ingest.store("test", "pi-attic", "p", "k", List.of(Sample.of("t", 1, T0)));
        IngestRefusal r = assertThrows(IngestRefusal.class,
                () -> ingest.store("test", "pi-attic", "p", "k", List.of(Sample.of("t", 2, T0))));
        assertEquals(IngestRefusal.Reason.CONFLICT, r.reason(), r.getMessage());
        assertEquals(1, rows("sensor = 't'"));
    }

    @Test
    void aBadSampleRefusesTheWholeRequest() throws Exception {
        Ingest ingest = ingest(LimitsConfig.defaults());
        IngestRefusal r = assertThrows(IngestRefusal.class, () -> ingest.store("test", "pi-attic", "p", "k",
                List.of(Sample.of("good", 1, T0), Sample.of("bad", Double.NaN, T0))));
        assertEquals(IngestRefusal.Reason.INVALID, r.reason());
        assertTrue(r.getMessage().contains("bad"), r.getMessage());
        assertEquals(0, rows("1 = 1"));
    }

    @Test
    void overTheDevicesRateIsRefusedWithARetryTime() throws Exception {
        LimitsConfig limits = LimitsConfig.defaults().withMaxReadingsPerSecond(1);
        Ingest ingest = ingest(limits);
        List<Sample> many = new java.util.ArrayList<>();
        for (int i = 1; i <= limits.rateBurst(); i++) {
            many.add(Sample.of("t", i, T0 + i));
        }
        ingest.store("test", "pi-attic", "p", "k", many); // the whole burst at once
        IngestRefusal r = assertThrows(IngestRefusal.class, () -> ingest.store("test", "pi-attic", "p", "k", many));
        assertEquals(IngestRefusal.Reason.RATE_LIMITED, r.reason());
        assertTrue(r.retryAfterSeconds() >= 1, r.getMessage());
    }

    @Test
    void onlyTheDevicesSecretAuthenticatesIt() throws Exception {
        Ingest ingest = ingest(LimitsConfig.defaults());
        ingest.authenticate("pi-attic", SECRET, HERE);
        assertEquals(IngestRefusal.Reason.UNAUTHORIZED,
                assertThrows(IngestRefusal.class, () -> ingest.authenticate("pi-attic", SECRET + "x", HERE)).reason());
        assertEquals(IngestRefusal.Reason.UNAUTHORIZED,
                assertThrows(IngestRefusal.class, () -> ingest.authenticate("pi-cellar", SECRET, HERE)).reason());
        assertEquals(IngestRefusal.Reason.UNAUTHORIZED,
                assertThrows(IngestRefusal.class, () -> ingest.authenticate("pi-attic", null, HERE)).reason());
    }

    /** As for a failed HELLO: the same penalty, per source and device id, cleared by the right secret. */
    @Test
    void aDeviceIdThatKeepsFailingWaitsLongerForEachAnswerFromThatSourceOnly() throws Exception {
        Ingest ingest = ingest(LimitsConfig.defaults());
        InetAddress elsewhere = InetAddress.getByName("127.0.0.2");
        assertTrue(wrong(ingest, "pi-attic", HERE).contains("1 failure(s) in a row of this device id from 127.0.0.1"
                + " (answer delayed 0 ms; the next one waits 250 ms)"));
        long started = System.nanoTime();
        assertTrue(wrong(ingest, "pi-attic", HERE).contains("2 failure(s) in a row of this device id from 127.0.0.1"
                + " (answer delayed 250 ms; the next one waits 500 ms)"));
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(250), "the answer waited");
        assertTrue(wrong(ingest, "pi-attic", elsewhere).contains("1 failure(s)"), "another source has its own count");
        assertTrue(wrong(ingest, "pi-cellar", HERE).contains("1 failure(s)"), "another device id has its own count");

        ingest.authenticate("pi-attic", SECRET, HERE); // waits its 500 ms too, then clears the count
        assertTrue(wrong(ingest, "pi-attic", HERE).contains("1 failure(s)"), "the right secret cleared it");
    }

    /** The operator's reason for a refused wrong secret of {@code device} from {@code from}. */
    private static String wrong(Ingest ingest, String device, InetAddress from) {
        IngestRefusal r = assertThrows(IngestRefusal.class, () -> ingest.authenticate(device, SECRET + "x", from));
        assertEquals(IngestRefusal.Reason.UNAUTHORIZED, r.reason());
        return r.getMessage();
    }
}
