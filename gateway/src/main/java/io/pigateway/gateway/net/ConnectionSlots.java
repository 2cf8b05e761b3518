package io.pigateway.gateway.net;

import io.pigateway.gateway.auth.SourcePrefix;
import io.pigateway.protocol.NackCode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The gateway's two budgets of connections: {@code limits.max-unauthenticated-connections} handshake
 * slots for connections that have not yet proven a device, and {@code limits.max-connections} device
 * slots for those that have. A connection takes a handshake slot at accept and trades it for a device
 * slot once its HELLO is proven, so connections that never authenticate (a scanner, a flood of
 * silent sockets, a device with a wrong secret) can never take a device's place.
 *
 * <p>When every handshake slot is taken, a new connection gets the slot of the one that has waited
 * longest among those of the source ({@link SourcePrefix}) holding the most slots, and that one is
 * told to close. A flood of silent sockets thus pushes out its own oldest, and a device that connects
 * in the middle of it needs its slot only for the milliseconds of its own handshake. (Refusing the new
 * connection instead would let whoever opened connections first keep every slot until the handshake
 * timeout.) A flood from one source, or a few, only ever pushes out its own connections; one from
 * many sources with a slot each pushes out the oldest. Per-source rates ({@link ConnectionRates})
 * further keep one source from churning through the slots.
 *
 * <p>Every {@link #admit} is matched by one {@link #release} in a {@code finally}. Thread-safe: the
 * accept loop and every connection thread call it, each under one short lock.
 *
 * @param <C> the connection type (a plain object in unit tests)
 */
final class ConnectionSlots<C> {
    private final int maxDevices;
    private final int maxHandshakes;
    /** Oldest first, with each one's source. */
    private final LinkedHashMap<C, SourcePrefix> handshaking = new LinkedHashMap<>();
    private final Map<SourcePrefix, Integer> perSource = new HashMap<>();
    private final Set<C> devices = new HashSet<>();

    ConnectionSlots(int maxDevices, int maxHandshakes) {
        this.maxDevices = maxDevices;
        this.maxHandshakes = maxHandshakes;
    }

    /**
     * Gives {@code c}, from {@code source}, a handshake slot; returns the connection that lost its slot
     * to make room (the caller tells it to close), or {@code null} if there was a free one.
     */
    synchronized C admit(C c, SourcePrefix source) {
        C crowdedOut = null;
        if (handshaking.size() >= maxHandshakes) {
            crowdedOut = oldestOfLargestSource();
            removeHandshake(crowdedOut);
        }
        handshaking.put(c, source);
        perSource.merge(source, 1, Integer::sum);
        return crowdedOut;
    }

    /** Linear in the handshake slots, which are few (a hundred or so), and only when all are taken. */
    private C oldestOfLargestSource() {
        int most = 0;
        for (int n : perSource.values()) {
            most = Math.max(most, n);
        }
        for (Map.Entry<C, SourcePrefix> e : handshaking.entrySet()) {
            if (perSource.get(e.getValue()) == most) {
                return e.getKey();
            }
        }
        throw new IllegalStateException("no source holds " + most + " of " + handshaking.size() + " handshake slots");
    }

    private boolean removeHandshake(C c) {
        SourcePrefix source = handshaking.remove(c);
        if (source == null) {
            return false;
        }
        perSource.computeIfPresent(source, (s, n) -> n <= 1 ? null : n - 1);
        return true;
    }

    /**
     * {@code c} has proven a device: trades its handshake slot for a device slot. {@code null} if it
     * did, else the refusal: TOO_MANY_HANDSHAKES if it had already lost its handshake slot, or
     * TOO_MANY_CONNECTIONS if every device slot is taken (it then keeps its handshake slot until released).
     */
    synchronized NackCode authenticated(C c) {
        if (!handshaking.containsKey(c)) {
            return devices.contains(c) ? null : NackCode.TOO_MANY_HANDSHAKES;
        }
        if (devices.size() >= maxDevices) {
            return NackCode.TOO_MANY_CONNECTIONS;
        }
        removeHandshake(c);
        devices.add(c);
        return null;
    }

    /** Frees whichever slot {@code c} holds, if any. */
    synchronized void release(C c) {
        if (!removeHandshake(c)) {
            devices.remove(c);
        }
    }

    synchronized int handshaking() {
        return handshaking.size();
    }

    synchronized int devices() {
        return devices.size();
    }

    int maxDevices() {
        return maxDevices;
    }

    int maxHandshakes() {
        return maxHandshakes;
    }
}
