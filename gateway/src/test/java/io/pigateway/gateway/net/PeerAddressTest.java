package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pigateway.gateway.store.SessionStart;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerAddressTest {
    @Test
    void ipv4IsAddressColonPortWithoutTheSlash() throws Exception {
        assertEquals("192.0.2.7:50026", PeerAddress.of(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 50026)));
    }

    @Test
    void ipv6IsBracketedInTheShortForm() throws Exception {
        assertEquals("[::1]:4711", PeerAddress.of(new InetSocketAddress(InetAddress.getByName("::1"), 4711)));
        assertEquals("[2001:db8::7]:1", PeerAddress.of(new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:0:0:0:7"), 1)));
    }

    @Test
    void ipv6ShortensTheLongestRunOfZeroGroupsOnly() throws Exception {
        assertEquals("::", PeerAddress.host(InetAddress.getByName("0:0:0:0:0:0:0:0")));
        assertEquals("2001:db8::", PeerAddress.host(InetAddress.getByName("2001:db8:0:0:0:0:0:0")));
        assertEquals("2001:0:0:1::1", PeerAddress.host(InetAddress.getByName("2001:0:0:1:0:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", PeerAddress.host(InetAddress.getByName("2001:db8:0:1:1:1:1:1")));
        assertEquals("fe80::1:0:0:1", PeerAddress.host(InetAddress.getByName("fe80:0:0:0:1:0:0:1")));
    }

    @Test
    void aResolvedNameIsNotPartOfTheAddress() throws Exception {
        InetAddress named = InetAddress.getByAddress("kitchen-pi", new byte[] {10, 0, 0, 5});
        assertEquals("10.0.0.5:4000", PeerAddress.of(new InetSocketAddress(named, 4000)));
    }

    @Test
    void theStoredDeviceAddressDropsThePort() {
        assertEquals("10.0.0.5", session("10.0.0.5:4000").peerHost());
        assertEquals("::1", session("[::1]:4000").peerHost());
        assertEquals("2001:db8::7", session("2001:db8::7").peerHost());
        assertEquals("x", session("x").peerHost());
    }

    private static SessionStart session(String peer) {
        return new SessionStart("d", 1, peer, Instant.EPOCH, 0, 0, List.of());
    }
}
