package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.pigateway.gateway.auth.SourcePrefix;
import io.pigateway.protocol.NackCode;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ConnectionSlotsTest {
    static SourcePrefix source(int last) throws Exception {
        return SourcePrefix.of(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) last}), 32, 64);
    }

    @Test
    void aFullHandshakeBudgetPushesOutItsOldestNotTheNewcomer() throws Exception {
        ConnectionSlots<String> slots = new ConnectionSlots<>(10, 3);
        assertNull(slots.admit("silent-1", source(1)));
        assertNull(slots.admit("silent-2", source(2)));
        assertNull(slots.admit("silent-3", source(3)));
        assertSame("silent-1", slots.admit("device", source(4)), "the one that waited longest makes room");
        assertEquals(3, slots.handshaking());
        assertEquals(NackCode.TOO_MANY_HANDSHAKES, slots.authenticated("silent-1"), "it lost its slot");
        assertNull(slots.authenticated("device"));
        assertEquals(2, slots.handshaking());
        assertEquals(1, slots.devices());
        for (int i = 0; i < 100; i++) {
            slots.admit("flood-" + i, source(100 + i));
        }
        assertEquals(3, slots.handshaking());
        assertEquals(1, slots.devices(), "a flood of handshakes takes no device slot");
        assertNull(slots.authenticated("device"), "and an authenticated connection keeps its own");
    }

    @Test
    void aSourceHoldingTheMostSlotsPushesOutItsOwnOldestNotAnothersOlderOne() throws Exception {
        ConnectionSlots<String> slots = new ConnectionSlots<>(10, 4);
        slots.admit("device", source(1));
        slots.admit("flood-1", source(9));
        slots.admit("flood-2", source(9));
        slots.admit("flood-3", source(9));
        assertSame("flood-1", slots.admit("flood-4", source(9)));
        assertSame("flood-2", slots.admit("flood-5", source(9)));
        assertSame("flood-3", slots.admit("neighbour", source(2)), "even when a newcomer of another source needs room");
        assertNull(slots.authenticated("device"), "the device that came first still holds its slot");
        assertNull(slots.authenticated("neighbour"));
    }

    @Test
    void devicesBeyondTheirBudgetAreRefusedAndKeepTheirHandshakeSlotUntilReleased() throws Exception {
        ConnectionSlots<String> slots = new ConnectionSlots<>(1, 5);
        slots.admit("a", source(1));
        slots.admit("b", source(1));
        assertNull(slots.authenticated("a"));
        assertEquals(NackCode.TOO_MANY_CONNECTIONS, slots.authenticated("b"));
        assertEquals(1, slots.handshaking());
        slots.release("b");
        slots.release("a");
        assertEquals(0, slots.handshaking());
        assertEquals(0, slots.devices());
        slots.admit("c", source(1));
        assertNull(slots.authenticated("c"), "a released device slot is free again");
        slots.release("crowded-out-and-never-admitted"); // harmless
        assertEquals(1, slots.devices());
    }
}
