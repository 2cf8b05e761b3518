package io.pigateway.common.tls;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The TLS versions a socket may negotiate: TLS 1.3 and TLS 1.2, or one of them. Older versions
 * have known weaknesses and are refused even if the JDK's own security settings were loosened.
 */
public record TlsProtocols(List<String> names) {
    public static final String TLS_1_3 = "TLSv1.3";
    public static final String TLS_1_2 = "TLSv1.2";
    public static final TlsProtocols DEFAULT = new TlsProtocols(List.of(TLS_1_3, TLS_1_2));
    private static final List<String> OLDER = List.of("SSLv2", "SSLv2Hello", "SSLv3", "TLSv1", "TLSv1.0", "TLSv1.1");

    public TlsProtocols {
        names = List.copyOf(names);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("at least one protocol is needed");
        }
        for (String n : names) {
            if (!n.equals(TLS_1_3) && !n.equals(TLS_1_2)) {
                throw new IllegalArgumentException(n + " is not allowed; only " + TLS_1_3 + " and " + TLS_1_2);
            }
        }
    }

    /** The protocols listed under {@code key} (comma-separated), {@link #DEFAULT} if absent. */
    public static TlsProtocols from(Settings s, String key) throws ConfigException {
        List<String> raw = s.list(key, null);
        if (raw == null) {
            return DEFAULT;
        }
        List<String> names = new ArrayList<>();
        for (String item : raw) {
            String name = canonical(item);
            if (name == null) {
                boolean older = OLDER.stream().anyMatch(o -> o.equalsIgnoreCase(item));
                throw s.invalid(key, String.join(", ", raw), (older ? item + " is older than TLS 1.2 and not allowed"
                        : item + " is not a TLS version") + "; allowed are " + TLS_1_3 + " and " + TLS_1_2);
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            throw s.invalid(key, "", "must list " + TLS_1_3 + ", " + TLS_1_2 + " or both");
        }
        return new TlsProtocols(names);
    }

    private static String canonical(String item) {
        return switch (item.toLowerCase(Locale.ROOT)) {
            case "tlsv1.3" -> TLS_1_3;
            case "tlsv1.2" -> TLS_1_2;
            default -> null;
        };
    }

    public String[] array() {
        return names.toArray(String[]::new);
    }

    @Override
    public String toString() {
        return String.join(", ", names);
    }
}
