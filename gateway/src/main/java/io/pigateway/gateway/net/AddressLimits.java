package io.pigateway.gateway.net;

import io.pigateway.gateway.auth.SourcePrefix;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connections held per source (an address, or an IPv6 prefix: {@link SourcePrefix}), so one host (a
 * broken client in a reconnect loop, or a hostile one) cannot take all the gateway's connections. Every {@link #tryAcquire} that
 * returns true is matched by one {@link #release} in a {@code finally}.
 */
final class AddressLimits {
    private final int maxPerAddress;
    private final Map<SourcePrefix, Integer> held = new ConcurrentHashMap<>();

    AddressLimits(int maxPerAddress) {
        this.maxPerAddress = maxPerAddress;
    }

    boolean tryAcquire(SourcePrefix address) {
        boolean[] granted = {false};
        held.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            if (count >= maxPerAddress) {
                return n;
            }
            granted[0] = true;
            return count + 1;
        });
        return granted[0];
    }

    void release(SourcePrefix address) {
        held.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    int held(SourcePrefix address) {
        return held.getOrDefault(address, 0);
    }

    int maxPerAddress() {
        return maxPerAddress;
    }
}
