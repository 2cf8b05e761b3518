package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** The one way an address key ({@code listen.address}, {@code http.address}, ...) is read. */
final class ConfigAddress {
    private ConfigAddress() {
    }

    /** {@code key}'s value as an address: an IP literal (IPv6 with or without brackets) or a host name. */
    static InetAddress parse(Settings s, String key, String fallback) throws ConfigException {
        return literal(s, key, s.string(key, fallback));
    }

    private static InetAddress literal(Settings s, String key, String raw) throws ConfigException {
        String literal = raw.startsWith("[") && raw.endsWith("]") ? raw.substring(1, raw.length() - 1) : raw;
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw s.invalid(key, raw, "must be an IP address or a resolvable host name (0.0.0.0 for all IPv4, :: for all)");
        }
    }

    /**
     * A comma-separated list of addresses ({@code 127.0.0.1, ::1}), each once; a wildcard ({@code 0.0.0.0}
     * or {@code ::}) alone, since it already covers the others of its family.
     */
    static List<InetAddress> parseList(Settings s, String key, String fallback) throws ConfigException {
        List<String> items = s.list(key, List.of(fallback));
        if (items.isEmpty()) {
            throw s.invalid(key, "", "must name at least one address");
        }
        List<InetAddress> result = new ArrayList<>();
        for (String item : items) {
            InetAddress a = literal(s, key, item);
            if (result.contains(a)) {
                throw s.invalid(key, s.string(key, fallback), "lists " + item + " twice");
            }
            result.add(a);
        }
        if (result.size() > 1 && result.stream().anyMatch(InetAddress::isAnyLocalAddress)) {
            throw s.invalid(key, s.string(key, fallback), "a wildcard address (0.0.0.0, ::) must be the only one:"
                    + " :: alone accepts IPv4 and IPv6 clients (dual-stack)");
        }
        return result;
    }
}
