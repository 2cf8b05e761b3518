package io.pigateway.gateway.net;

import static io.pigateway.gateway.auth.SourcePrefixes.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.auth.SourcePrefix;
import org.junit.jupiter.api.Test;

class AddressLimitsTest {
    @Test
    void eachAddressGetsItsOwnShareAndReleasingFreesIt() throws Exception {
        AddressLimits limits = new AddressLimits(2);
        SourcePrefix a = source("10.0.0.1");
        SourcePrefix b = source("10.0.0.2");
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

    @Test
    void addressesOfOneIpv6Slash64ShareOneShare() throws Exception {
        AddressLimits limits = new AddressLimits(1);
        assertTrue(limits.tryAcquire(source("2001:db8::1")));
        assertFalse(limits.tryAcquire(source("2001:db8::2")),
                "another address of the same /64");
        assertTrue(limits.tryAcquire(source("2001:db8:0:1::1")));
    }
}
