package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    static final long BUDGET = 80L * MemoryBudget.CONNECTION_BYTES;

    @Test
    void connectionsAreAdmittedUpToSevenEighthsOfTheBudgetThenRefusedWithTheNumbers() {
        MemoryBudget budget = new MemoryBudget(BUDGET);
        for (int i = 0; i < 70; i++) {
            assertNull(budget.open(), "connection " + (i + 1));
        }
        String reason = budget.open();
        assertTrue(reason != null, "the 71st connection is refused");
        assertTrue(reason.contains("70 connections") && reason.contains("limits.connection-memory-percent"), reason);
        assertEquals(70, budget.connections());
        budget.closed();
        assertNull(budget.open(), "a closed connection makes room for one more");
    }

    @Test
    void framesBeforeTheHandshakeStopAtTheAdmissionMarkAndAuthenticatedOnesMayUseTheRest() throws Exception {
        MemoryBudget budget = new MemoryBudget(BUDGET);
        for (int i = 0; i < 60; i++) {
            budget.open();
        }
        MemoryBudget.Account stranger = budget.account();
        stranger.take(10 * MemoryBudget.CONNECTION_BYTES); // up to the mark: 70 of 80
        ProtocolException e = assertThrows(ProtocolException.class, () -> stranger.take(1));
        assertEquals(NackCode.OVERLOADED, e.nackCode());
        assertEquals(MemoryBudget.RETRY_AFTER_MILLIS, e.retryAfterMillis());
        assertTrue(e.getMessage().contains("allowed before the handshake"), e.getMessage());
        assertTrue(budget.open() != null, "no new connection while frames fill the admitted share");

        MemoryBudget.Account device = budget.account();
        device.authenticated();
        device.take(10 * MemoryBudget.CONNECTION_BYTES); // the last eighth
        assertThrows(ProtocolException.class, () -> device.take(1));
        assertEquals(BUDGET, budget.heldBytes(), "a refused take leaves nothing behind");

        stranger.give(10 * MemoryBudget.CONNECTION_BYTES);
        device.give(10 * MemoryBudget.CONNECTION_BYTES);
        assertEquals(60L * MemoryBudget.CONNECTION_BYTES, budget.heldBytes());
        assertNull(budget.open());
    }

    @Test
    void aBudgetTooSmallForAnyConnectionIsRefusedAtStartUp() {
        assertThrows(IllegalArgumentException.class, () -> new MemoryBudget(MemoryBudget.CONNECTION_BYTES));
    }
}
