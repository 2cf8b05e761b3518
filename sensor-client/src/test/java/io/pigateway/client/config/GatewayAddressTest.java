package io.pigateway.client.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GatewayAddressTest {
    @Test
    void parsesAndPrintsTheSameForm() {
        assertEquals("10.0.0.5:4711", GatewayAddress.parse(" 10.0.0.5:4711 ").toString());
        assertEquals("[::1]:4711", GatewayAddress.parse("[::1]:4711").toString());
        assertEquals(new GatewayAddress("gw.example", 1), GatewayAddress.parse("GW.example:1"));
        assertEquals("unix:/run/pi-gateway/gateway.sock", GatewayAddress.parse("unix:/run/pi-gateway/gateway.sock").toString());
    }
}
