package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DeviceConnectionTest {
    @Test
    void theClockOffsetIsTheDifferenceAndSaturatesInsteadOfWrappingAround() {
        assertEquals(1500, DeviceConnection.clockOffset(1_700_000_001_500L, 1_700_000_000_000L));
        assertEquals(-60_000, DeviceConnection.clockOffset(1_700_000_000_000L, 1_700_000_060_000L));
        assertEquals(Long.MAX_VALUE, DeviceConnection.clockOffset(1_700_000_000_000L, Long.MIN_VALUE));
        assertEquals(-Long.MAX_VALUE, DeviceConnection.clockOffset(-1_000L, Long.MAX_VALUE));
    }
}
