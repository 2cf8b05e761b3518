package io.pigateway.client.faults;

import static io.pigateway.testing.Await.until;

import io.pigateway.client.ClientStats;
import io.pigateway.client.SensorClient;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.testing.GatewayProcess;
import io.pigateway.gateway.testing.TestStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of the gateway process in the middle of a stream, again and again: nothing lost, nothing twice. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GatewayKilledIT {
    static final Path GATEWAY_JAR = Path.of("../gateway/target/pi-gateway.jar");
    static final int KILLS = 5;
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void everyReadingIsStoredExactlyOnceAcrossRepeatedKillNineOfTheGateway(@TempDir Path dir) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        int port = Faults.freePort();
        Path config = Faults.gatewayConfig(dir, store, port);
        Random random = new Random(42);
        GatewayProcess gateway = GatewayProcess.start(GATEWAY_JAR, config, "gateway-0");
        gateway.awaitReady();
        SensorClient client = SensorClient.start(Faults.clientConfig("killed-gw", "127.0.0.1:" + port));
        ClientStats end;
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                long before = client.stats().acknowledged();
                until("readings acknowledged before kill " + kill, WAIT, () -> client.stats().acknowledged() > before + 200);
                Thread.sleep(random.nextInt(100)); // land the kill anywhere in the stream
                gateway.kill();
                Thread.sleep(random.nextInt(500)); // the client samples on while the gateway is gone
                gateway = GatewayProcess.start(GATEWAY_JAR, config, "gateway-" + kill);
                gateway.awaitReady();
            }
            long before = client.stats().acknowledged();
            until("readings acknowledged after the last restart", WAIT, () -> client.stats().acknowledged() > before + 200);
        } finally {
            end = client.shutdown();
            gateway.terminate();
            gateway.waitFor(30);
        }
        System.out.println("gateway killed with SIGKILL " + KILLS + " times; client: " + end);
        Faults.assertStoredExactlyOnce(store, "killed-gw", client.streamId(), end);
    }
}
