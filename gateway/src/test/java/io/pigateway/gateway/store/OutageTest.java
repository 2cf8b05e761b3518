package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutageTest {
    @Test
    void reportsTheStartOfAnOutageOnceAndItsEndOnce() {
        Outage o = new Outage("test store", Duration.ofSeconds(30));
        assertFalse(o.down());
        assertTrue(o.failed(new SQLException("gone"), 3), "first failure starts the outage");
        assertFalse(o.failed(new SQLException("still gone"), 2), "later failures log nothing");
        assertTrue(o.down());
        assertTrue(o.committed(), "first commit ends it");
        assertFalse(o.committed());
        assertFalse(o.down());
    }

    @Test
    void describesMultiLineDriverMessagesOnOneLine() {
        assertEquals("Communications link failure The last packet was sent 0 ms ago.",
                Outage.describe(new SQLException("Communications link failure\n\nThe last packet was sent 0 ms ago.")));
        assertEquals("unknown error", Outage.describe(null));
        assertEquals("Communications link failure: Connection refused", Outage.describe(
                new SQLException("Communications link failure", new java.net.ConnectException("Connection refused"))));
    }
}
