package io.pigateway.gateway.metrics;

import java.time.Instant;
import java.util.Locale;

/**
 * Whether the store can commit, in one consistent snapshot.
 *
 * @param up        false during a database outage and once the store is closed
 * @param downSince when the current outage began; {@code null} when up or closed
 * @param problem   the database's last error on one line, or "the store is closed"; {@code null} when up
 * @param outages   outages since the store opened
 * @param state     what kind of outage: the database unreachable, read-only, full, or failing otherwise
 */
public record StoreHealth(boolean up, Instant downSince, String problem, long outages, State state) {

    /** The store's condition, as /health and {@code pigw_database_state} name it. */
    public enum State {
        UP, UNREACHABLE, READ_ONLY, FULL, FAILING, CLOSED;

        /** "read-only": the word in /health and the metric's label. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Up, or down as an unreachable database. */
    public StoreHealth(boolean up, Instant downSince, String problem, long outages) {
        this(up, downSince, problem, outages, up ? State.UP : State.UNREACHABLE);
    }
}
