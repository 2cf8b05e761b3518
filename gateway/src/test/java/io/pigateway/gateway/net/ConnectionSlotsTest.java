package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.pigateway.protocol.NackCode;
import org.junit.jupiter.api.Test;

class ConnectionSlotsTest {
    @Test
    void aFullHandshakeBudgetPushesOutItsOldestNotTheNewcomer() {
        ConnectionSlots<String> slots = new ConnectionSlots<>(10, 3);
        assertNull(slots.admit("silent-1"));
        assertNull(slots.admit("silent-2"));
        assertNull(slots.admit("silent-3"));
        assertSame("silent-1", slots.admit("device"), "the one that waited longest makes room");
        assertEquals(3, slots.handshaking());
        assertEquals(NackCode.TOO_MANY_HANDSHAKES, slots.authenticated("silent-1"), "it lost its slot");
        assertNull(slots.authenticated("device"));
        assertEquals(2, slots.handshaking());
        assertEquals(1, slots.devices());
        for (int i = 0; i < 100; i++) {
            slots.admit("flood-" + i);
        }
        assertEquals(1, slots.devices(), "a flood of handshakes takes no device slot");
        assertNull(slots.authenticated("device"), "and an authenticated connection keeps its own");
    }

    @Test
    void devicesBeyondTheirBudgetAreRefusedAndKeepTheirHandshakeSlotUntilReleased() {
        ConnectionSlots<String> slots = new ConnectionSlots<>(1, 5);
        slots.admit("a");
        slots.admit("b");
        assertNull(slots.authenticated("a"));
        assertEquals(NackCode.TOO_MANY_CONNECTIONS, slots.authenticated("b"));
        assertEquals(1, slots.handshaking());
        slots.release("b");
        slots.release("a");
        assertEquals(0, slots.handshaking());
        assertEquals(0, slots.devices());
        slots.admit("c");
        assertNull(slots.authenticated("c"), "a released device slot is free again");
        slots.release("crowded-out-and-never-admitted"); // harmless
        assertEquals(1, slots.devices());
    }
}
