package io.pigateway.gateway.metrics;

/**
 * What {@code /metrics} and {@code /health} read from the running gateway when they are asked.
 * Every method is cheap and never blocks: no database or network call.
 */
public interface GatewayState {
    /** Whether the listener is bound and its accept loop runs. */
    boolean accepting();

    int connectionsOpen();

    /** Devices that completed a handshake and are still connected. */
    int devicesConnected();

    /** Readings accepted and not yet committed. */
    int queueDepth();

    int queueCapacity();

    /** Whether the database takes commits and, if not, since when and why. */
    StoreHealth store();

    /** {@code TlsConfig.describe()} of the key and certificates in use: a reload (SIGHUP) changes it. */
    String tlsSummary();
}
