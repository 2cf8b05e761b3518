package io.pigateway.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class GaleraLimitsTest {
    @Test
    void aServerWithoutGaleraHasNoLimits() {
        assertNull(GaleraLimits.problem(null, 0, 0, 100_000));
        assertNull(GaleraLimits.problem("OFF", 10, 10, 100_000));
    }

    @Test
    void groupsOfUpToHalfTheRowLimitFit() {
        assertNull(GaleraLimits.problem("ON", 1000, 0, 500));
        assertNull(GaleraLimits.problem("ON", 0, 2L << 30, 500)); // MariaDB's defaults: no row limit, 2 GiB
    }

    @Test
    void aGroupThatCouldExceedTheRowLimitIsRefusedNamingBothSettings() {
        assertEquals("writer.transaction-max-readings = 501 lets a transaction write up to 1002 rows, but the Galera"
                        + " cluster's wsrep_max_ws_rows = 1000; set writer.transaction-max-readings to at most 500 or raise"
                        + " wsrep_max_ws_rows", GaleraLimits.problem("ON", 1000, 0, 501));
    }

    @Test
    void aGroupThatCouldExceedTheSizeLimitIsRefused() {
        assertEquals("writer.transaction-max-readings = 600 lets a transaction write up to 1228800 bytes, but the Galera"
                        + " cluster's wsrep_max_ws_size = 1048576; set writer.transaction-max-readings to at most 512 or raise"
                        + " wsrep_max_ws_size", GaleraLimits.problem("ON", 0, 1 << 20, 600));
    }
}
