package io.pigateway.gateway;

import io.pigateway.gateway.metrics.GatewayState;
import io.pigateway.gateway.metrics.StoreHealth;
import io.pigateway.gateway.net.Listener;
import io.pigateway.gateway.store.Store;

/** The running listener and store as /metrics and /health see them. */
final class LiveState implements GatewayState {
    private final Listener listener;
    private final Store store;

    LiveState(Listener listener, Store store) {
        this.listener = listener;
        this.store = store;
    }

    @Override
    public boolean accepting() {
        return listener.accepting();
    }

    @Override
    public int connectionsOpen() {
        return listener.connections();
    }

    @Override
    public int devicesConnected() {
        return listener.devices();
    }

    @Override
    public int queueDepth() {
        return store.queueDepth();
    }

    @Override
    public int queueCapacity() {
        return store.queueCapacity();
    }

    @Override
    public StoreHealth store() {
        return store.status();
    }

    @Override
    public String tlsSummary() {
        return listener.tlsSummary();
    }
}
