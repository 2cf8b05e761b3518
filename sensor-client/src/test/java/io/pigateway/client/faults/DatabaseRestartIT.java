package io.pigateway.client.faults;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pigateway.client.ClientStats;
import io.pigateway.client.SensorClient;
import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * MariaDB stopped while a client streams, and started again: the gateway stops acknowledging, the
 * client keeps sampling, and once the database is back every reading is stored exactly once.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DatabaseRestartIT {
    static final int OUTAGES = 2;
    static final Duration DOWN = Duration.ofSeconds(3);
    static final Duration WAIT = Duration.ofSeconds(40);

    @Test
    void everyReadingIsStoredExactlyOnceAcrossDatabaseRestarts(@TempDir Path dir) throws Exception {
        TestStores db = TestStores.shared();
        assumeTrue(db.server().canStopServer(), "the database is external (PIGW_TEST_DB_HOST); this test stops only its own");
        StoreConfig store = db.freshSchema(dir);
        GatewayConfig config = TestGatewayConfig.forTests(dir).withStore(store);
        ClientStats end;
        long stream;
        try (Gateway gateway = Gateway.start(config)) {
            SensorClient client = SensorClient.start(
                    Faults.clientConfig("db-outage", "127.0.0.1:" + gateway.address().getPort()));
            try {
                for (int outage = 1; outage <= OUTAGES; outage++) {
                    long before = client.stats().acknowledged();
                    until("readings acknowledged before outage", WAIT, () -> client.stats().acknowledged() > before + 200);
                    db.server().stopServer();
                    try {
                        Thread.sleep(DOWN.toMillis());
                        long during = client.stats().acknowledged();
                        long held = client.stats().pending();
                        until("the client samples on while MariaDB is down", WAIT,
                                () -> client.stats().pending() > held + 50);
                        assertEquals(during, client.stats().acknowledged(), "nothing is acknowledged while MariaDB is down");
                        assertFalse(gateway.store().healthy());
                    } finally {
                        db.server().startServer();
                    }
                    long after = client.stats().acknowledged();
                    until("acknowledgements resume after outage " + outage, WAIT,
                            () -> client.stats().acknowledged() > after + 200 && client.stats().pending() < 500);
                }
            } finally {
                end = client.shutdown();
                stream = client.streamId();
            }
            System.out.println("MariaDB stopped " + OUTAGES + " times for " + DOWN.toSeconds() + " s; gateway "
                    + gateway.store().stats() + "; client " + end);
        }
        Faults.assertStoredExactlyOnce(store, "db-outage", stream, end);
    }
}
