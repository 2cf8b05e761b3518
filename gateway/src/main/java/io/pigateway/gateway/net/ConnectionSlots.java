package io.pigateway.gateway.net;

import io.pigateway.protocol.NackCode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The gateway's two budgets of connections: {@code limits.max-unauthenticated-connections} handshake
 * slots for connections that have not yet proven a device, and {@code limits.max-connections} device
 * slots for those that have. A connection takes a handshake slot at accept and trades it for a device
 * slot once its HELLO is proven, so connections that never authenticate (a scanner, a flood of
 * silent sockets, a device with a wrong secret) can never take a device's place.
 *
 * <p>When every handshake slot is taken, a new connection gets the slot of the one that has waited
 * longest, which is told to close: a flood of silent sockets thus pushes out its own oldest, and a
 * device that connects in the middle of it needs its slot only for the milliseconds of its own
 * handshake. (Refusing the new connection instead would let whoever opened connections first keep
 * every slot until the handshake timeout.) Per-source rates ({@link ConnectionRates}) keep one source
 * from churning through the slots on its own.
 *
 * <p>Every {@link #admit} is matched by one {@link #release} in a {@code finally}. Thread-safe: the
 * accept loop and every connection thread call it, each under one short lock.
 *
 * @param <C> the connection type (a plain object in unit tests)
 */
final class ConnectionSlots<C> {
    private final int maxDevices;
    private final int maxHandshakes;
    /** Oldest first. */
    private final LinkedHashSet<C> handshaking = new LinkedHashSet<>();
    private final Set<C> devices = new HashSet<>();

    ConnectionSlots(int maxDevices, int maxHandshakes) {
        this.maxDevices = maxDevices;
        this.maxHandshakes = maxHandshakes;
    }

    /**
     * Gives {@code c} a handshake slot; returns the connection that had waited longest and lost its
     * slot to make room (the caller tells it to close), or {@code null} if there was a free one.
     */
    synchronized C admit(C c) {
        C crowdedOut = null;
        if (handshaking.size() >= maxHandshakes) {
            Iterator<C> oldest = handshaking.iterator();
            crowdedOut = oldest.next();
            oldest.remove();
        }
        handshaking.add(c);
        return crowdedOut;
    }

    /**
     * {@code c} has proven a device: trades its handshake slot for a device slot. {@code null} if it
     * did, else the refusal: TOO_MANY_HANDSHAKES if it had already lost its handshake slot, or
     * TOO_MANY_CONNECTIONS if every device slot is taken (it then keeps its handshake slot until released).
     */
    synchronized NackCode authenticated(C c) {
        if (!handshaking.contains(c)) {
            return devices.contains(c) ? null : NackCode.TOO_MANY_HANDSHAKES;
        }
        if (devices.size() >= maxDevices) {
            return NackCode.TOO_MANY_CONNECTIONS;
        }
        handshaking.remove(c);
        devices.add(c);
        return null;
    }

    /** Frees whichever slot {@code c} holds, if any. */
    synchronized void release(C c) {
        if (!handshaking.remove(c)) {
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
