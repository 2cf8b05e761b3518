package io.pigateway.gateway.status;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BinaryOperator;

/** The parameters of a URL's query {@code a=b&c=d}, decoded, for the gateway's HTTP endpoints. */
public final class QueryString {
    private QueryString() {
    }

    /**
     * The decoded parameters of {@code raw} (null or empty: none); a name without {@code =} has the
     * value "". A pair with a malformed %-escape is left out, as if absent. The value of a repeated
     * name is {@code repeated} applied to the one kept so far and the later one.
     */
    public static Map<String, String> decode(String raw, BinaryOperator<String> repeated) {
        Map<String, String> m = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                m.merge(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8),
                        repeated);
            } catch (IllegalArgumentException e) {
                // a malformed %-escape: the pair is left out
            }
        }
        return m;
    }
}
