package io.pigateway.gateway.metrics;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer of {@code /health}: 200 when the listener accepts connections and the database is
 * reachable, else 503 with the reason. Reads state only; the store's prober keeps that state fresh
 * (it checks an idle database every few seconds), so a health check never waits for the database.
 */
public final class HealthCheck {
    /** An HTTP status and the JSON body that goes with it. */
    public record Result(int status, String json) {
    }

    private final GatewayState state;

    public HealthCheck(GatewayState state) {
        this.state = state;
    }

    /**
     * {@code {"status":"ok","listener":"up","store":"up"}}, or for example
     * {@code {"status":"unavailable","listener":"up","store":"down","reason":"database unreachable since
     * 2026-05-01T12:03:04Z: Communications link failure: Connection refused"}}; "read-only", "full" or
     * "failing" in place of "unreachable" for those outages.
     */
    public Result check() {
        boolean listening = state.accepting();
        StoreHealth store = state.store();
        boolean storeUp = store.up();
        List<String> reasons = new ArrayList<>(2);
        if (!listening) {
            reasons.add("the listener is not accepting connections");
        }
        if (!storeUp) {
            Instant since = store.downSince();
            reasons.add(since == null ? String.valueOf(store.problem())
                    : "database " + store.state().label() + " since " + since.truncatedTo(ChronoUnit.SECONDS) + ": "
                    + store.problem());
        }
        StringBuilder json = new StringBuilder(160)
                .append("{\"status\":\"").append(reasons.isEmpty() ? "ok" : "unavailable")
                .append("\",\"listener\":\"").append(listening ? "up" : "down")
                .append("\",\"store\":\"").append(storeUp ? "up" : "down").append('"');
        if (!reasons.isEmpty()) {
            json.append(",\"reason\":\"");
            JsonString.appendEscaped(String.join("; ", reasons), json);
            json.append('"');
        }
        json.append("}\n");
        return new Result(reasons.isEmpty() ? 200 : 503, json.toString());
    }
}
