package io.pigateway.gateway.metrics;

import java.time.Instant;

/**
 * Whether the store can commit, in one consistent snapshot.
 *
 * @param up        false during a database outage and once the store is closed
 * @param downSince when the current outage began; {@code null} when up or closed
 * @param problem   the database's last error on one line, or "the store is closed"; {@code null} when up
 * @param outages   outages since the store opened
 */
public record StoreHealth(boolean up, Instant downSince, String problem, long outages) {
}
