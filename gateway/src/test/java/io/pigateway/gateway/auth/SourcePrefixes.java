package io.pigateway.gateway.auth;

import java.net.InetAddress;

/** Sources for tests of the per-source limits. */
public final class SourcePrefixes {
    private SourcePrefixes() {
    }

    /** The source of {@code address} with the gateway's default prefixes: /32 for IPv4, /64 for IPv6. */
    public static SourcePrefix source(String address) throws Exception {
        return SourcePrefix.of(InetAddress.getByName(address), 32, 64);
    }
}
