package io.pigateway.gateway.ingest.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The device id and password a request carries, in any of the forms InfluxDB clients send:
 * <ul>
 *   <li>{@code Authorization: Token <device-id>:<secret>} (InfluxDB v2 clients' token; also {@code Bearer});</li>
 *   <li>{@code Authorization: Basic base64(<device-id>:<secret>)};</li>
 *   <li>the query parameters {@code u=<device-id>&p=<secret>} (InfluxDB v1).</li>
 * </ul>
 * The header wins over the query. The password is the device's secret from the devices file.
 *
 * @param password {@code null} if the request named a device only
 */
record Credentials(String device, String password) {
    /** The request's credentials, {@code null} if it has none; {@link IllegalArgumentException} for a malformed header. */
    static Credentials of(String authorization, Map<String, String> query) {
        if (authorization != null && !authorization.isBlank()) {
            String a = authorization.strip();
            int space = a.indexOf(' ');
            String scheme = space < 0 ? a : a.substring(0, space);
            String value = space < 0 ? "" : a.substring(space + 1).strip();
            if (scheme.equalsIgnoreCase("Basic")) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("the Basic credentials are not base64");
                }
                return split(decoded, "Basic");
            }
            if (scheme.equalsIgnoreCase("Token") || scheme.equalsIgnoreCase("Bearer")) {
                return split(value, scheme);
            }
            throw new IllegalArgumentException("the Authorization scheme '" + printable(scheme)
                    + "' is not supported; use Token <device-id>:<secret> or Basic");
        }
        String user = query.get("u");
        if (user != null) {
            return new Credentials(user, query.get("p"));
        }
        return null;
    }

    private static Credentials split(String pair, String scheme) {
        int colon = pair.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("the " + scheme + " credentials must be <device-id>:<secret>");
        }
        return new Credentials(pair.substring(0, colon), pair.substring(colon + 1));
    }

    private static String printable(String s) {
        return s.length() > 20 ? s.substring(0, 20) + "..." : s;
    }

    @Override
    public String toString() {
        return "Credentials[device=" + device + "]"; // never the password
    }
}
