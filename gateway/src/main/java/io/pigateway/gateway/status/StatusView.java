package io.pigateway.gateway.status;

import io.pigateway.gateway.metrics.StoreHealth;
import java.util.List;
import java.util.Map;

/**
 * Everything the status page shows at one moment except the plots; {@link StatusJson} and
 * {@link StatusHtml} render it. Times are epoch milliseconds, 0 = never.
 */
record StatusView(GatewayInfo info, String tlsSummary, long nowMillis, boolean listening, StoreHealth store, int connections,
                  int devicesConnected, int queueDepth, int queueCapacity, double readingsPerSecond,
                  long lateAfterMillis, long silentAfterMillis, List<Device> devices) {

    /** A device's state by the age of its last committed reading. */
    enum State {
        /** Committed within lateAfter. */
        FRESH,
        /** Committed within silentAfter. */
        LATE,
        /** Nothing committed for silentAfter, or never. */
        SILENT,
        /** Never committed anything here, and was refused. */
        REFUSED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param peer              "address:port" of its last handshake or refusal; {@code null}: unknown
     * @param streamId          of its last handshake, 0 before one
     * @param readingsPerSecond committed over the last 10 s; NaN when not yet known
     * @param refusals          NACKs that refused or ended its connections, by reason
     * @param spoolDepth        readings in its spool by its last report (client.spool-depth); null: none
     * @param dropped           readings its spool had to drop by its last report; null: none
     */
    record Device(String id, State state, boolean connected, long lastCommitMillis, long lastSeenMillis, String peer,
                  long streamId, double readingsPerSecond, Map<String, Long> refusals, long lastRefusalMillis,
                  String lastRefusal, Long spoolDepth, Long dropped) {
    }

    long count(State s) {
        return devices.stream().filter(d -> d.state() == s).count();
    }

    static State state(long lastCommitMillis, boolean refused, long nowMillis, long lateAfterMillis,
                       long silentAfterMillis) {
        if (lastCommitMillis == 0) {
            return refused ? State.REFUSED : State.SILENT;
        }
        long age = nowMillis - lastCommitMillis;
        return age <= lateAfterMillis ? State.FRESH : age <= silentAfterMillis ? State.LATE : State.SILENT;
    }
}
