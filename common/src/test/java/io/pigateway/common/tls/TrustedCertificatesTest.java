package io.pigateway.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.ConfigException;
import io.pigateway.common.Settings;
import io.pigateway.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CA bundles and the protocol list. */
class TrustedCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void aBundleHoldsEveryCertificateInIt() throws Exception {
        TestPki a = TestPki.create(dir, "a");
        TestPki b = TestPki.create(dir, "b");
        Path bundle = Files.writeString(dir.resolve("bundle.pem"), "A\n" + Files.readString(a.caFile()) + "B\n"
                + Files.readString(b.caFile()));
        TrustedCertificates t = TrustedCertificates.fromPem(bundle, Instant.now());
        assertEquals(List.of(a.caCertificate(), b.caCertificate()), t.certificates());
        assertEquals("CN=a CA, CN=b CA", t.describe());
        assertEquals(List.of(), t.warnings(Instant.now()));
    }

    @Test
    void aBundleWithAPrivateKeyOrWithoutCertificatesIsRefused() throws Exception {
        TestPki pki = TestPki.create(dir, "site");
        TestPki.Issued gw = pki.server("gw");
        Path withKey = Files.writeString(dir.resolve("with-key.pem"), Files.readString(pki.caFile())
                + Files.readString(gw.keyFile()));
        assertTrue(assertThrows(ConfigException.class, () -> TrustedCertificates.fromPem(withKey, Instant.now()))
                .getMessage().startsWith(withKey.toAbsolutePath() + " holds a private key (line "));
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertEquals(empty.toAbsolutePath() + " is not a PEM file: it has no '-----BEGIN' line",
                assertThrows(ConfigException.class, () -> TrustedCertificates.fromPem(empty, Instant.now())).getMessage());
    }

    @Test
    void aBundleOfExpiredCasIsRefusedButOneExpiredCaAmongCurrentOnesIsAWarning() throws Exception {
        TestPki pki = TestPki.create(dir, "site");
        Instant later = Instant.now().plus(Duration.ofDays(400)); // the test CA is valid for 365 days
        ConfigException e = assertThrows(ConfigException.class, () -> TrustedCertificates.fromPem(pki.caFile(), later));
        assertTrue(e.getMessage().startsWith(pki.caFile().toAbsolutePath() + ": the CA certificate CN=site CA expired on "),
                e.getMessage());

        TestPki next = TestPki.create(dir, "next");
        Instant soon = Instant.now().plus(Duration.ofDays(340));
        Path bundle = Files.writeString(dir.resolve("bundle.pem"), Files.readString(pki.caFile())
                + Files.readString(next.caFile()));
        List<String> w = TrustedCertificates.fromPem(bundle, soon).warnings(soon);
        assertEquals(2, w.size(), "both expire within 30 days: " + w);
        assertTrue(w.getFirst().contains("the CA certificate CN=site CA expires on"), w.getFirst());
    }

    @Test
    void protocolsAreTls13AndTls12OrOneOfThemAndNothingOlder() throws Exception {
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), TlsProtocols.from(Settings.of("c", Map.of()), "p").names());
        assertEquals(List.of("TLSv1.2"), TlsProtocols.from(Settings.of("c", Map.of("p", "tlsv1.2")), "p").names());
        assertEquals("c: key 'p' = 'TLSv1.3, TLSv1.1' is invalid: TLSv1.1 is older than TLS 1.2 and not allowed;"
                + " allowed are TLSv1.3 and TLSv1.2", assertThrows(ConfigException.class,
                () -> TlsProtocols.from(Settings.of("c", Map.of("p", "TLSv1.3, TLSv1.1")), "p")).getMessage());
        assertEquals("c: key 'p' = 'SSLv3' is invalid: SSLv3 is older than TLS 1.2 and not allowed; allowed are TLSv1.3"
                + " and TLSv1.2", assertThrows(ConfigException.class,
                () -> TlsProtocols.from(Settings.of("c", Map.of("p", "SSLv3")), "p")).getMessage());
        assertEquals("c: key 'p' = '1.3' is invalid: 1.3 is not a TLS version; allowed are TLSv1.3 and TLSv1.2",
                assertThrows(ConfigException.class,
                        () -> TlsProtocols.from(Settings.of("c", Map.of("p", "1.3")), "p")).getMessage());
    }
}
