package io.pigateway.gateway.store;

import io.pigateway.common.ErrorText;
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
                ErrorText.of(new SQLException("Communications link failure\n\nThe last packet was sent 0 ms ago.")));
        assertEquals("unknown error", ErrorText.of(null));
        assertEquals("Communications link failure: Connection refused", ErrorText.of(
                new SQLException("Communications link failure", new java.net.ConnectException("Connection refused"))));
    }

    @Test
    void statusNamesWhenTheOutageBeganItsLatestErrorAndCountsOutages() {
        Outage o = new Outage("test store", Duration.ofSeconds(30));
        assertEquals(new io.pigateway.gateway.metrics.StoreHealth(true, null, null, 0), o.status());
        java.time.Instant before = java.time.Instant.now();
        o.failed(new SQLException("Communications link failure", new java.net.ConnectException("Connection refused")), 1);
        o.stillFailing(new SQLException("Access denied"));
        var down = o.status();
        assertFalse(down.up());
        assertTrue(!down.downSince().isBefore(before) && !down.downSince().isAfter(java.time.Instant.now()));
        assertEquals("Access denied", down.problem(), "the latest error, not the first");
        assertEquals(1, down.outages());
        o.reachable();
        o.failed(new SQLException("gone again"), 0);
        assertEquals(2, o.status().outages());
        o.committed();
        assertEquals(new io.pigateway.gateway.metrics.StoreHealth(true, null, null, 2), o.status());
    }
}
