package io.pigateway.gateway.net;

import io.pigateway.gateway.testing.TestGatewayConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** A gateway on loopback over a fresh MariaDB schema, for one test. */
final class RunningGateway implements AutoCloseable {
    final StoreConfig store;
    final Gateway gateway;
    private long goodSeq;

    private RunningGateway(StoreConfig store, Gateway gateway) {
        this.store = store;
        this.gateway = gateway;
    }

    static RunningGateway start(Path dir, UnaryOperator<GatewayConfig> tweak) throws Exception {
        StoreConfig store = TestStores.shared().freshSchema(dir);
        return new RunningGateway(store, Gateway.start(tweak.apply(TestGatewayConfig.forTests(dir).withStore(store))));
    }

    /** As {@link #start(Path, UnaryOperator)}, over the embedded H2 store in {@code dir}. */
    static RunningGateway startEmbedded(Path dir, UnaryOperator<GatewayConfig> tweak) throws Exception {
        GatewayConfig config = tweak.apply(TestGatewayConfig.forTests(dir));
        return new RunningGateway(config.store(), Gateway.start(config));
    }

    static RunningGateway start(Path dir) throws Exception {
        return start(dir, c -> c);
    }

    InetSocketAddress address() {
        return gateway.address();
    }

    long rows() throws Exception {
        return TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM readings");
    }

    long rows(String deviceId) throws Exception {
        return TestStores.shared().queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = ?", deviceId);
    }

    /**
     * A well-behaved device ("good", from {@code from}, proving {@code secret} if not null) sends the next
     * 100 readings and gets them all acknowledged; then the table holds every reading it ever sent.
     * Hostile-input tests call it after each case.
     */
    void assertGoodDeviceServed(InetAddress from, String secret) throws Exception {
        try (TestDevice d = TestDevice.connectFrom(from, address(), "good", 1, secret)) {
            long first = goodSeq + 1;
            d.sendRange(first, first + 99, 50);
            d.awaitAck(first + 99, Duration.ofSeconds(15));
            goodSeq += 100;
        }
        assertEquals(goodSeq, rows("good"), "every reading of the well-behaved device is stored, once");
    }

    /** Readings 1..{@code count} from {@code d}, just connected as {@code device}: each acknowledged and stored once. */
    void assertEveryReadingCommitted(TestDevice d, String device, int count) throws Exception {
        try (d) {
            d.sendRange(1, count, 100);
            assertEquals(count, d.awaitAck(count, Duration.ofSeconds(15)));
        }
        assertEquals(count, rows(device));
    }

    long distinctKeys() throws Exception {
        return TestStores.shared().queryLong(store,
                "SELECT COUNT(*) FROM (SELECT DISTINCT device_id, stream_id, seq FROM readings) k");
    }

    @Override
    public void close() {
        gateway.close();
    }
}
