package io.pigateway.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.SecretFile;
import io.pigateway.gateway.auth.Authenticator;
import io.pigateway.gateway.auth.DeviceSecrets;
import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.config.LimitsConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.WriterConfig;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.net.DeviceRates;
import io.pigateway.gateway.store.Store;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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

    private Ingest ingest(LimitsConfig limits) throws Exception {
        Path devices = dir.resolve("devices");
        Files.writeString(devices, "pi-attic " + SECRET + "\n");
        Files.setPosixFilePermissions(devices, PosixFilePermissions.fromString("rw-------"));
        AuthConfig auth = AuthConfig.secrets(devices, DeviceSecrets.load(SecretFile.at(devices)));
        return new Ingest(store, new Authenticator(auth), new DeviceRates(limits), limits, Metrics.NONE,
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
        ingest.authenticate("pi-attic", SECRET);
        assertEquals(IngestRefusal.Reason.UNAUTHORIZED,
                assertThrows(IngestRefusal.class, () -> ingest.authenticate("pi-attic", SECRET + "x")).reason());
        assertEquals(IngestRefusal.Reason.UNAUTHORIZED,
                assertThrows(IngestRefusal.class, () -> ingest.authenticate("pi-cellar", SECRET)).reason());
        assertEquals(IngestRefusal.Reason.UNAUTHORIZED,
                assertThrows(IngestRefusal.class, () -> ingest.authenticate("pi-attic", null)).reason());
    }
}
