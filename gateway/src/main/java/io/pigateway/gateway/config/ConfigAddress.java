package io.pigateway.gateway.config;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The one way an address key ({@code listen.address}, {@code http.address}, ...) is read. */
final class ConfigAddress {
    private ConfigAddress() {
    }

    /** {@code key}'s value as an address: an IP literal (IPv6 with or without brackets) or a host name. */
    static InetAddress parse(Settings s, String key, String fallback) throws ConfigException {
        String raw = s.string(key, fallback);
        String literal = raw.startsWith("[") && raw.endsWith("]") ? raw.substring(1, raw.length() - 1) : raw;
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw s.invalid(key, raw, "must be an IP address or a resolvable host name (0.0.0.0 for all IPv4, :: for all)");
        }
    }
}
