package io.pigateway.gateway.net;

import io.pigateway.gateway.auth.Authenticator;
import io.pigateway.gateway.auth.FailurePenalty;
import io.pigateway.gateway.config.LimitsConfig;

/**
 * What stands between a connection and the store, shared by all connections of a listener: the
 * limits, the secret check, the slow-down for device ids that fail it, per-device reading rates,
 * the refusal log that keeps floods out of the journal, the handshake and device slots, and the
 * memory budget of all connections.
 */
record Guards(LimitsConfig limits, Authenticator authenticator, FailurePenalty penalty, DeviceRates rates,
              RefusalLog refusals, ConnectionSlots<DeviceConnection> slots, MemoryBudget memory) {
}
