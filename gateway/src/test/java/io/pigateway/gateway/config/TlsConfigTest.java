package io.pigateway.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.ConfigException;
import io.pigateway.testing.TestPki;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tls.* keys of gateway.conf: which combinations are allowed, and what the errors say. */
class TlsConfigTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued gateway;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(dir, "site");
        gateway = pki.server("gw");
    }

    static GatewayConfig parse(String... keysAndValues) throws ConfigException {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return GatewayConfigTest.parse(m);
    }

    static String fails(String... keysAndValues) {
        return assertThrows(ConfigException.class, () -> parse(keysAndValues)).getMessage();
    }

    @Test
    void tlsIsOffByDefaultAndItsKeysMayStayInTheFileWhileItIsOff() throws ConfigException {
        assertFalse(parse().tls().enabled());
        assertEquals("TLS off: clients connect in plaintext", parse().tls().describe());
        assertFalse(parse("tls.enabled", "false", "tls.certificate-file", "/nowhere.pem", "tls.key-file",
                "credential:nowhere").tls().enabled());
    }

    @Test
    void aPemCertificateAndKeyEnableTls() throws ConfigException {
        TlsConfig t = parse("tls.enabled", "true", "tls.certificate-file", gateway.certificateFile().toString(),
                "tls.key-file", gateway.keyFile().toString()).tls();
        assertTrue(t.enabled());
        assertFalse(t.mutual());
        assertTrue(t.describe().startsWith("TLS TLSv1.3, TLSv1.2; certificate CN=gw"), t.describe());
        assertEquals(List.of(), t.warnings());
    }

    @Test
    void aPkcs12KeystoreAndAClientCaEnableMutualTls() throws Exception {
        Path[] p12 = gateway.pkcs12("pw-for-test");
        TlsConfig t = parse("tls.enabled", "true", "tls.keystore-file", p12[0].toString(),
                "tls.keystore-password-file", p12[1].toString(), "tls.client-ca-file", pki.caFile().toString(),
                "tls.protocols", "TLSv1.3").tls();
        assertTrue(t.mutual());
        assertEquals(List.of("TLSv1.3"), t.protocols().names());
        assertTrue(t.describe().endsWith("client certificates required, issued by CN=site CA"), t.describe());
    }

    @Test
    void enabledTlsNeedsOneKindOfKeyMaterialNotNoneAndNotBoth() throws Exception {
        assertEquals("gateway.conf: tls.enabled = true needs tls.certificate-file and tls.key-file (PEM), or"
                + " tls.keystore-file and tls.keystore-password-file (PKCS#12)", fails("tls.enabled", "true"));
        Path[] p12 = gateway.pkcs12("pw");
        assertEquals("gateway.conf: give tls.certificate-file and tls.key-file, or tls.keystore-file and"
                + " tls.keystore-password-file, not both", fails("tls.enabled", "true",
                "tls.certificate-file", gateway.certificateFile().toString(), "tls.key-file", gateway.keyFile().toString(),
                "tls.keystore-file", p12[0].toString(), "tls.keystore-password-file", p12[1].toString()));
        assertEquals("gateway.conf: key 'tls.key-file' is required with tls.certificate-file", fails("tls.enabled", "true",
                "tls.certificate-file", gateway.certificateFile().toString()));
        assertEquals("gateway.conf: key 'tls.keystore-password-file' is required with tls.keystore-file",
                fails("tls.enabled", "true", "tls.keystore-file", p12[0].toString()));
    }

    @Test
    void aFileProblemNamesTheConfigurationTheKeysAndTheFile() throws Exception {
        TestPki.Issued other = pki.server("other");
        String m = fails("tls.enabled", "true", "tls.certificate-file", gateway.certificateFile().toString(),
                "tls.key-file", other.keyFile().toString());
        assertTrue(m.startsWith("gateway.conf: tls.certificate-file, tls.key-file: " + other.keyFile()
                + ": the private key does not match the certificate CN=gw"), m);
        Path missing = dir.resolve("no-ca.pem");
        assertEquals("gateway.conf: tls.client-ca-file: cannot read " + missing + ": no such file", fails("tls.enabled",
                "true", "tls.certificate-file", gateway.certificateFile().toString(), "tls.key-file",
                gateway.keyFile().toString(), "tls.client-ca-file", missing.toString()));
    }

    @Test
    void protocolsOlderThanTls12CannotBeConfigured() {
        assertEquals("gateway.conf: key 'tls.protocols' = 'TLSv1.2, TLSv1.1' is invalid: TLSv1.1 is older than TLS 1.2"
                + " and not allowed; allowed are TLSv1.3 and TLSv1.2", fails("tls.protocols", "TLSv1.2, TLSv1.1"));
    }

    @Test
    void aKeyFileGivenAsACredentialNeedsTheCredentialsDirectory() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("CREDENTIALS_DIRECTORY") == null);
        assertTrue(fails("tls.enabled", "true", "tls.certificate-file", gateway.certificateFile().toString(),
                "tls.key-file", "credential:gateway-key").startsWith("gateway.conf: key 'tls.key-file' ="
                + " 'credential:gateway-key' is invalid: CREDENTIALS_DIRECTORY is not set"));
    }
}
