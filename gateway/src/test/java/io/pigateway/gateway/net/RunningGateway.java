package io.pigateway.gateway.net;

import io.pigateway.gateway.Gateway;
import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.testing.TestDatabase;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** A gateway on loopback over a fresh MariaDB schema, for one test. */
final class RunningGateway implements AutoCloseable {
    final StoreConfig store;
    final Gateway gateway;

    private RunningGateway(StoreConfig store, Gateway gateway) {
        this.store = store;
        this.gateway = gateway;
    }

    static RunningGateway start(Path dir, UnaryOperator<GatewayConfig> tweak) throws Exception {
        StoreConfig store = TestDatabase.shared().freshSchema(dir);
        return new RunningGateway(store, Gateway.start(tweak.apply(GatewayConfig.forTests(dir).withStore(store))));
    }

    static RunningGateway start(Path dir) throws Exception {
        return start(dir, c -> c);
    }

    InetSocketAddress address() {
        return gateway.address();
    }

    long rows() throws Exception {
        return TestDatabase.shared().queryLong(store, "SELECT COUNT(*) FROM readings");
    }

    long rows(String deviceId) throws Exception {
        return TestDatabase.shared().queryLong(store, "SELECT COUNT(*) FROM readings WHERE device_id = ?", deviceId);
    }

    long distinctKeys() throws Exception {
        return TestDatabase.shared().queryLong(store,
                "SELECT COUNT(*) FROM (SELECT DISTINCT device_id, stream_id, seq FROM readings) k");
    }

    @Override
    public void close() {
        gateway.close();
    }
}
