package io.pigateway.client.faults;

import io.pigateway.gateway.testing.TestGatewayConfig;
import io.pigateway.testing.TcpRelay;
import static io.pigateway.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** Connections cut at random byte offsets, in both directions, many times: every reading stored once. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConnectionCutIT {
    static final int CUTS = 60;
    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void everyReadingIsStoredExactlyOnceAcrossManyCutsAtRandomOffsets(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        ClientStats end;
        long stream;
        int cuts;
        try (Gateway gateway = Gateway.start(TestGatewayConfig.forTests(dir).withStore(store));
             TcpRelay proxy = new TcpRelay(gateway.address()).cutAfterRandomBytes(CUTS, 6000, 7)) {
            SensorClient client = SensorClient.start(Faults.clientConfig("cut", "127.0.0.1:" + proxy.port()));
            try {
                until(CUTS + " cuts made", WAIT, () -> proxy.cuts() >= CUTS);
                long after = client.stats().acknowledged();
                until("acknowledgements after the last cut", WAIT, () -> client.stats().acknowledged() > after + 200);
            } finally {
                end = client.shutdown();
                stream = client.streamId();
            }
            cuts = proxy.cuts();
        }
        System.out.println("connections cut " + cuts + " times at random offsets; client: " + end);
        assertEquals(CUTS, cuts);
        Faults.assertStoredExactlyOnce(store, "cut", stream, end);
    }
}
