package io.pigateway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.gateway.ingest.lineprotocol.Precision;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineSocketConfigTest {
    static LineSocketConfig parse(Map<String, String> values, boolean authOpen) throws ConfigException {
        return LineSocketConfig.from(Settings.of("gateway.conf", values), authOpen);
    }

    static String error(Map<String, String> values, boolean authOpen) {
        return assertThrows(ConfigException.class, () -> parse(values, authOpen)).getMessage();
    }

    @Test
    void bothAreOffByDefaultAndOnLoopbackPort8094WhenEnabled() throws Exception {
        LineSocketConfig off = parse(Map.of(), false);
        assertFalse(off.tcp().enabled());
        assertFalse(off.udp().enabled());
        LineSocketConfig on = parse(Map.of("ingest.line-tcp.enabled", "true", "ingest.line-udp.enabled", "true"), true);
        assertEquals(InetAddress.getLoopbackAddress(), on.tcp().address());
        assertEquals(8094, on.tcp().port());
        assertEquals(8094, on.udp().port());
        assertEquals(Precision.NANOSECONDS, on.udp().precision());
        assertTrue(on.tcp().trusts(InetAddress.getByName("192.0.2.9")), "auth.mode = open: every source");
    }

    @Test
    void withSecretsEachEnabledInputNeedsTrustedSources() throws Exception {
        assertEquals("gateway.conf: key 'ingest.line-tcp.enabled' = 'true' is invalid: line protocol over TCP carries no"
                + " credentials, so with auth.mode = secrets ingest.line-tcp.trusted-sources must list the sources trusted"
                + " to write for any device (e.g. 127.0.0.1, ::1)", error(Map.of("ingest.line-tcp.enabled", "true"), false));
        LineSocketConfig c = parse(Map.of("ingest.line-tcp.enabled", "true",
                "ingest.line-tcp.trusted-sources", "10.0.0.0/24, ::1"), false);
        assertTrue(c.tcp().trusts(InetAddress.getByName("10.0.0.77")));
        assertTrue(c.tcp().trusts(InetAddress.getByName("::1")));
        assertFalse(c.tcp().trusts(InetAddress.getByName("10.0.1.1")));
        assertFalse(c.tcp().trusts(InetAddress.getByName("127.0.0.1")));
    }

    @Test
    void overUdpOnlyLoopbackCanBeTrustedAndBadValuesNameTheKey() {
        assertTrue(error(Map.of("ingest.line-udp.enabled", "true", "ingest.line-udp.trusted-sources", "10.0.0.5"), false)
                .startsWith("gateway.conf: key 'ingest.line-udp.trusted-sources' = '10.0.0.5' is invalid: '10.0.0.5' is not"
                        + " loopback: a UDP source address is whatever the sender writes"));
        assertEquals("gateway.conf: key 'ingest.line-tcp.trusted-sources' = 'gateway.lan' is invalid: 'gateway.lan' is not"
                + " an IP address or a prefix such as 10.0.0.0/24", error(Map.of("ingest.line-tcp.enabled", "true",
                "ingest.line-tcp.trusted-sources", "gateway.lan"), true));
        assertTrue(error(Map.of("ingest.line-tcp.enabled", "true", "ingest.line-tcp.trusted-sources", "10.0.0.0/33"), true)
                .contains("is not an IP address or a prefix"));
        assertEquals("gateway.conf: key 'ingest.line-tcp.precision' = 'fortnight' is invalid: must be one of ns, us, ms, s,"
                + " m, h (Telegraf sends ns)", error(Map.of("ingest.line-tcp.enabled", "true",
                "ingest.line-tcp.precision", "fortnight"), true));
    }
}
