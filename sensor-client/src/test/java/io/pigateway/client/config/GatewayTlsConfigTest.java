package io.pigateway.client.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.ConfigException;
import io.pigateway.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway.tls.* keys of sensor-client.conf. */
class GatewayTlsConfigTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued device;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(dir, "site");
        device = pki.device("pi-1");
    }

    private static Map<String, String> with(String... keysAndValues) {
        Map<String, String> m = TestConf.minimal();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static SensorClientConfig parse(String... keysAndValues) throws ConfigException {
        return TestConf.parse(with(keysAndValues));
    }

    private static String fails(String... keysAndValues) {
        return TestConf.error(with(keysAndValues));
    }

    @Test
    void tlsIsOffByDefaultAndItsKeysMayWaitInTheFile() throws Exception {
        assertFalse(parse().gateway().tls().enabled());
        assertFalse(parse("gateway.tls.ca-file", "/nowhere/ca.pem").gateway().tls().enabled());
    }

    @Test
    void enabledTlsNeedsTheCaFile() {
        assertEquals("test.conf: key 'gateway.tls.ca-file' is required when gateway.tls.enabled = true (the CA that"
                + " issued the gateway's certificate)", fails("gateway.tls.enabled", "true"));
    }

    @Test
    void aCertificateNeedsItsKeyAndAKeyItsCertificate() {
        assertEquals("test.conf: key 'gateway.tls.key-file' is required with gateway.tls.certificate-file",
                fails("gateway.tls.enabled", "true", "gateway.tls.ca-file", pki.caFile().toString(),
                        "gateway.tls.certificate-file", device.certificateFile().toString()));
        assertEquals("test.conf: key 'gateway.tls.certificate-file' is required with gateway.tls.key-file",
                fails("gateway.tls.enabled", "true", "gateway.tls.ca-file", pki.caFile().toString(),
                        "gateway.tls.key-file", device.keyFile().toString()));
    }

    @Test
    void fileProblemsNameTheKeysAndTheFile() throws Exception {
        Path notCa = Files.writeString(dir.resolve("not-ca.pem"), "nothing here\n");
        assertEquals("test.conf: gateway.tls.ca-file: " + notCa + " is not a PEM file: it has no '-----BEGIN' line",
                fails("gateway.tls.enabled", "true", "gateway.tls.ca-file", notCa.toString()));
        Path openKey = Files.copy(device.keyFile(), dir.resolve("open.key"));
        Files.setPosixFilePermissions(openKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertEquals("test.conf: gateway.tls.certificate-file, gateway.tls.key-file: " + openKey + " has mode 0640"
                + " (rw-r-----); must not be accessible by group or others: chmod 600 " + openKey,
                fails("gateway.tls.enabled", "true", "gateway.tls.ca-file", pki.caFile().toString(),
                        "gateway.tls.certificate-file", device.certificateFile().toString(),
                        "gateway.tls.key-file", openKey.toString()));
    }

    @Test
    void protocolsOlderThanTls12AndOddServerNamesAreRefused() {
        assertTrue(fails("gateway.tls.protocols", "TLSv1").startsWith("test.conf: key 'gateway.tls.protocols' = 'TLSv1'"
                + " is invalid: TLSv1 is older than TLS 1.2 and not allowed"));
        assertEquals("test.conf: key 'gateway.tls.server-name' = 'gw example' is invalid: must be a host name or an IP"
                + " address", fails("gateway.tls.enabled", "true", "gateway.tls.ca-file", pki.caFile().toString(),
                "gateway.tls.server-name", "gw example"));
    }

    @Test
    void describeWritesTheTlsKeysSoTheFileLoadsBackToTheSameConfig(@TempDir Path out) throws Exception {
        SensorClientConfig c = parse("gateway.tls.enabled", "true", "gateway.tls.ca-file", pki.caFile().toString(),
                "gateway.tls.certificate-file", device.certificateFile().toString(),
                "gateway.tls.key-file", device.keyFile().toString(), "gateway.tls.server-name", "gw.site",
                "gateway.tls.protocols", "TLSv1.3");
        GatewayTlsConfig tls = c.gateway().tls();
        assertTrue(tls.enabled());
        assertEquals(List.of("TLSv1.3"), tls.protocols().names());
        assertTrue(c.describe().contains("gateway.tls.server-name = gw.site\n"), c.describe());
        Path file = Files.writeString(out.resolve("described.conf"), c.describe());
        SensorClientConfig again = SensorClientConfig.load(file, null);
        assertEquals(c, again);
        assertNotSame(tls.context(), again.gateway().tls().context());
    }
}
