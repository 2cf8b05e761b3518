package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressLimitsTest {
    @Test
    void eachAddressGetsItsOwnShareAndReleasingFreesIt() throws Exception {
        AddressLimits limits = new AddressLimits(2);
        InetAddress a = InetAddress.getByName("10.0.0.1");
        InetAddress b = InetAddress.getByName("10.0.0.2");
        assertTrue(limits.tryAcquire(a));
        assertTrue(limits.tryAcquire(a));
        assertFalse(limits.tryAcquire(a));
        assertTrue(limits.tryAcquire(b), "another address is not affected");
        limits.release(a);
        assertEquals(1, limits.held(a));
        assertTrue(limits.tryAcquire(a));
        limits.release(a);
        limits.release(a);
        assertEquals(0, limits.held(a), "no entry is kept for an address with nothing held");
    }
}
