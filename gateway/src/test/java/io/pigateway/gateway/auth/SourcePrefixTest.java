package io.pigateway.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class SourcePrefixTest {
    static SourcePrefix of(String address, int v4, int v6) throws Exception {
        return SourcePrefix.of(InetAddress.getByName(address), v4, v6);
    }

    @Test
    void ipv6AddressesInOneSlash64AreOneSource() throws Exception {
        SourcePrefix a = of("2001:db8:1:2::1", 32, 64);
        SourcePrefix b = of("2001:db8:1:2:ffff:abcd:1234:5678", 32, 64);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("2001:db8:1:2:0:0:0:0/64", a.toString());
        assertNotEquals(a, of("2001:db8:1:3::1", 32, 64), "the next /64 is another source");
        assertEquals(of("2001:db8:1:2::1", 32, 48), of("2001:db8:1:3::1", 32, 48), "with /48 the same again");
        assertNotEquals(of("2001:db8:1:2::1", 32, 128), of("2001:db8:1:2::2", 32, 128), "at /128 each address is its own");
    }

    @Test
    void ipv4IsTheWholeAddressByDefaultOrAPrefixIfConfigured() throws Exception {
        assertNotEquals(of("192.0.2.1", 32, 64), of("192.0.2.2", 32, 64));
        assertEquals("192.0.2.1", of("192.0.2.1", 32, 64).toString());
        assertEquals(of("192.0.2.1", 24, 64), of("192.0.2.200", 24, 64));
        assertEquals("192.0.2.0/24", of("192.0.2.1", 24, 64).toString());
        assertEquals("10.0.0.0/9", of("10.127.255.255", 9, 64).toString(), "a prefix cutting a byte");
    }

    @Test
    void anIpv4MappedIpv6AddressIsTheIpv4AddressItMaps() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 192, 0, 2, 1};
        // Inet6Address.getByAddress keeps the 16 bytes (InetAddress.getByAddress would already make it IPv4).
        SourcePrefix s = SourcePrefix.of(Inet6Address.getByAddress(null, mapped, -1), 32, 64);
        assertEquals(of("192.0.2.1", 32, 64), s);
        assertEquals(32, s.length(), "the IPv4 length applies, not the IPv6 one");
    }

    @Test
    void theScopeOfALinkLocalAddressDoesNotMakeAnotherSource() throws Exception {
        byte[] bytes = InetAddress.getByName("fe80::1").getAddress();
        assertEquals(SourcePrefix.of(Inet6Address.getByAddress(null, bytes, 1), 32, 64),
                SourcePrefix.of(Inet6Address.getByAddress(null, bytes, 2), 32, 64));
    }
}
