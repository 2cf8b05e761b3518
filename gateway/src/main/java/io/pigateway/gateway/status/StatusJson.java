package io.pigateway.gateway.status;

import io.pigateway.gateway.metrics.StoreHealth;
import java.util.Map;

/**
 * {@code GET /status.json}: what the page's script reads every few seconds. UTF-8 JSON, one object:
 *
 * <pre>
 * {"now": 1764680000000,                         epoch ms, the gateway's clock
 *  "gateway": {"version": "0.1.0", "startedAt": ms, "uptimeSeconds": 3600,
 *              "listener": {"up": true, "address": "0.0.0.0:7000"},
 *              "tls": false, "tlsSummary": "TLS off: ...", "auth": "secrets" | "open",
 *              "store": {"type": "embedded H2 store at ...", "up": false, "downSince": ms | null,
 *                        "problem": "Connection refused" | null, "outages": 1},
 *              "connections": 3, "devicesConnected": 3,
 *              "queue": {"depth": 0, "capacity": 100000}, "readingsPerSecond": 299.5 | null},
 *  "thresholds": {"lateAfterSeconds": 30, "silentAfterSeconds": 300},
 *  "counts": {"fresh": 2, "late": 0, "silent": 1, "refused": 1},
 *  "devices": [{"id": "pi-1", "state": "fresh" | "late" | "silent" | "refused", "connected": true,
 *               "lastCommit": ms | null, "lastSeen": ms | null, "address": "127.0.0.1:50123" | null,
 *               "stream": "1f2e3d4c5b6a7988" | null, "readingsPerSecond": 100.0 | null,
 *               "refusals": {"authentication_failed": 2}, "lastRefusal": ms | null,
 *               "lastRefusalReason": "authentication_failed" | null,
 *               "spoolDepth": 0 | null, "dropped": 0 | null}, ...],   sorted by id; the last two as the
 *                                  client last reported them (database, every 5 s), null if it did not
 *  "series": {"t": [epoch s, ...], "readingsPerSecond": [...], "ackP50Ms": [...], "ackP99Ms": [...],
 *             "queue": [...], "commitP50Ms": [...], "commitP99Ms": [...]},   one point a second;
 *                                           only those after ?since=EPOCH_S; null where nothing happened
 *  "device": {"id": "pi-1", "t": [...], "readingsPerSecond": [...]}}        with ?device=ID only
 * </pre>
 *
 * No secret is ever part of it: the configuration parts are the describe() texts, which name files
 * and hosts but never their content.
 */
final class StatusJson {
    private StatusJson() {
    }

    static String write(StatusView v, StatusHistory.Series series, String deviceId, StatusHistory.DeviceSeries device) {
        StringBuilder o = new StringBuilder(4096 + v.devices().size() * 300 + series.t().length * 60);
        GatewayInfo info = v.info();
        o.append("{\"now\":").append(v.nowMillis());
        o.append(",\"gateway\":{\"version\":");
        string(info.version(), o);
        o.append(",\"startedAt\":").append(info.startedMillis());
        o.append(",\"uptimeSeconds\":").append((v.nowMillis() - info.startedMillis()) / 1000);
        o.append(",\"listener\":{\"up\":").append(v.listening()).append(",\"address\":");
        string(info.listen(), o);
        o.append("},\"tls\":").append(info.tls()).append(",\"tlsSummary\":");
        string(v.tlsSummary(), o);
        o.append(",\"auth\":");
        string(info.authMode(), o);
        StoreHealth s = v.store();
        o.append(",\"store\":{\"type\":");
        string(info.store(), o);
        o.append(",\"up\":").append(s.up()).append(",\"state\":\"").append(s.state().label()).append('"')
                .append(",\"downSince\":")
                .append(s.downSince() == null ? "null" : Long.toString(s.downSince().toEpochMilli()))
                .append(",\"problem\":");
        string(s.problem(), o);
        o.append(",\"outages\":").append(s.outages()).append('}');
        o.append(",\"connections\":").append(v.connections());
        o.append(",\"devicesConnected\":").append(v.devicesConnected());
        o.append(",\"queue\":{\"depth\":").append(v.queueDepth()).append(",\"capacity\":").append(v.queueCapacity());
        o.append("},\"readingsPerSecond\":");
        number(v.readingsPerSecond(), o);
        o.append("},\"thresholds\":{\"lateAfterSeconds\":").append(v.lateAfterMillis() / 1000.0)
                .append(",\"silentAfterSeconds\":").append(v.silentAfterMillis() / 1000.0).append('}');
        o.append(",\"counts\":{");
        for (StatusView.State st : StatusView.State.values()) {
            o.append(st.ordinal() == 0 ? "" : ",").append('"').append(st.label()).append("\":").append(v.count(st));
        }
        o.append("},\"devices\":[");
        boolean first = true;
        for (StatusView.Device d : v.devices()) {
            o.append(first ? "" : ",");
            first = false;
            device(d, o);
        }
        o.append("],\"series\":{\"t\":[");
        longs(series.t(), o);
        o.append("],\"readingsPerSecond\":[");
        floats(series.readingsPerSecond(), o);
        o.append("],\"ackP50Ms\":[");
        floats(series.ackP50Ms(), o);
        o.append("],\"ackP99Ms\":[");
        floats(series.ackP99Ms(), o);
        o.append("],\"queue\":[");
        int[] q = series.queue();
        for (int i = 0; i < q.length; i++) {
            o.append(i == 0 ? "" : ",").append(q[i]);
        }
        o.append("],\"commitP50Ms\":[");
        floats(series.commitP50Ms(), o);
        o.append("],\"commitP99Ms\":[");
        floats(series.commitP99Ms(), o);
        o.append("]}");
        if (deviceId != null) {
            o.append(",\"device\":{\"id\":");
            string(deviceId, o);
            o.append(",\"t\":[");
            if (device != null) {
                longs(device.t(), o);
            }
            o.append("],\"readingsPerSecond\":[");
            if (device != null) {
                floats(device.readingsPerSecond(), o);
            }
            o.append("]}");
        }
        return o.append("}\n").toString();
    }

    private static void device(StatusView.Device d, StringBuilder o) {
        o.append("{\"id\":");
        string(d.id(), o);
        o.append(",\"state\":\"").append(d.state().label()).append('"');
        o.append(",\"connected\":").append(d.connected());
        o.append(",\"lastCommit\":");
        millis(d.lastCommitMillis(), o);
        o.append(",\"lastSeen\":");
        millis(d.lastSeenMillis(), o);
        o.append(",\"address\":");
        string(d.peer(), o);
        o.append(",\"stream\":");
        string(d.streamId() == 0 ? null : Long.toString(d.streamId()), o);
        o.append(",\"readingsPerSecond\":");
        number(d.readingsPerSecond(), o);
        o.append(",\"refusals\":{");
        boolean first = true;
        for (Map.Entry<String, Long> e : d.refusals().entrySet()) {
            o.append(first ? "" : ",");
            first = false;
            string(e.getKey(), o);
            o.append(':').append(e.getValue());
        }
        o.append("},\"lastRefusal\":");
        millis(d.lastRefusalMillis(), o);
        o.append(",\"lastRefusalReason\":");
        string(d.lastRefusal(), o);
        o.append(",\"spoolDepth\":").append(d.spoolDepth());
        o.append(",\"dropped\":").append(d.dropped());
        o.append('}');
    }

    private static void millis(long m, StringBuilder o) {
        o.append(m == 0 ? "null" : Long.toString(m));
    }

    private static void number(double x, StringBuilder o) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            o.append("null");
        } else {
            o.append(Math.round(x * 100) / 100.0);
        }
    }

    private static void longs(long[] a, StringBuilder o) {
        for (int i = 0; i < a.length; i++) {
            o.append(i == 0 ? "" : ",").append(a[i]);
        }
    }

    private static void floats(float[] a, StringBuilder o) {
        for (int i = 0; i < a.length; i++) {
            o.append(i == 0 ? "" : ",");
            number(a[i], o);
        }
    }

    /** A JSON string, or {@code null}; device ids are printable ASCII, but problems may hold anything. */
    static void string(String s, StringBuilder o) {
        if (s == null) {
            o.append("null");
            return;
        }
        o.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> o.append("\\\"");
                case '\\' -> o.append("\\\\");
                case '\n' -> o.append("\\n");
                case '\r' -> o.append("\\r");
                case '\t' -> o.append("\\t");
                case '<' -> o.append("\\u003c"); // harmless even if someone serves it as HTML
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        o.append(String.format("\\u%04x", (int) c));
                    } else {
                        o.append(c);
                    }
                }
            }
        }
        o.append('"');
    }
}
