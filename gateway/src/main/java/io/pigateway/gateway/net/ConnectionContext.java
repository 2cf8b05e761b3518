package io.pigateway.gateway.net;

import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.store.Store;

/**
 * What every {@link DeviceConnection} of one listener shares: its guards (limits, secret check,
 * slots, memory budget), the store its readings go to, the registry of connected devices, whether
 * each reading is logged, and where events are counted.
 */
record ConnectionContext(Guards guards, Store store, ConnectionRegistry registry, boolean logReadings,
                         Metrics metrics) {
}
