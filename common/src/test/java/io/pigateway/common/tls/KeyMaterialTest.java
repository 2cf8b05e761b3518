package io.pigateway.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.ConfigException;
import io.pigateway.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a certificate and its key from PEM or PKCS#12, and every way that can go wrong. */
class KeyMaterialTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued gateway;
    static Instant now;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(dir, "site");
        gateway = pki.server("gw");
        now = Instant.now();
    }

    private static String abs(Path p) {
        return p.toAbsolutePath().toString();
    }

    private static ConfigException pemFails(Path certificate, Path key) {
        return assertThrows(ConfigException.class, () -> KeyMaterial.fromPem(certificate, key, now));
    }

    private static Path secret(String name, String content) throws Exception {
        return TestPki.secret(dir.resolve(name), content.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void anEcKeyAndItsCertificateLoadFromPem() throws Exception {
        KeyMaterial k = KeyMaterial.fromPem(gateway.certificateFile(), gateway.keyFile(), now);
        assertEquals(gateway.certificate(), k.certificate());
        assertEquals("EC", k.key().getAlgorithm());
        assertEquals(List.of(), k.warnings(now));
    }

    @Test
    void anRsaKeyLoadsFromPem() throws Exception {
        TestPki.Issued rsa = pki.issue(new TestPki.Request("rsa-gw").dns("localhost").server().rsa());
        assertEquals("RSA", KeyMaterial.fromPem(rsa.certificateFile(), rsa.keyFile(), now).key().getAlgorithm());
    }

    @Test
    void aChainWithItsIntermediateInOrderLoadsAndOneOutOfOrderIsRefused() throws Exception {
        String leaf = Files.readString(gateway.certificateFile());
        String ca = Files.readString(pki.caFile());
        Path ordered = Files.writeString(dir.resolve("chain.pem"), leaf + ca);
        assertEquals(2, KeyMaterial.fromPem(ordered, gateway.keyFile(), now).chain().size());
        Path unrelated = Files.writeString(dir.resolve("unrelated.pem"),
                leaf + Files.readString(TestPki.create(dir.resolve("other"), "other").caFile()));
        assertEquals(abs(unrelated) + ": certificate 2 (CN=other CA) did not issue certificate 1 (CN=gw (DNS:localhost,"
                + " IP:127.0.0.1, IP:0:0:0:0:0:0:0:1), issued by CN=site CA); list the certificate first, then the CA"
                + " that issued it, and so on", pemFails(unrelated, gateway.keyFile()).getMessage());
    }

    @Test
    void aPkcs12KeystoreLoadsWithThePasswordFromItsFile() throws Exception {
        Path[] p12 = gateway.pkcs12("keystore-pw");
        KeyMaterial k = KeyMaterial.fromPkcs12(p12[0], p12[1], now);
        assertEquals(gateway.certificate(), k.certificate());
        assertEquals(2, k.chain().size(), "certificate and CA");
    }

    @Test
    void aMissingCertificateFileNamesThePath() {
        Path nope = dir.resolve("nope.pem");
        assertEquals("cannot read " + abs(nope) + ": no such file", pemFails(nope, gateway.keyFile()).getMessage());
    }

    @Test
    void aFileWithoutPemBlocksIsNotAPemFile() throws Exception {
        Path text = Files.writeString(dir.resolve("text.pem"), "hello\n");
        assertEquals(abs(text) + " is not a PEM file: it has no '-----BEGIN' line",
                pemFails(text, gateway.keyFile()).getMessage());
        Path der = Files.write(dir.resolve("cert.der"), gateway.certificate().getEncoded());
        assertTrue(pemFails(der, gateway.keyFile()).getMessage().startsWith(abs(der)
                + " is not a PEM file: it has no '-----BEGIN' line (it looks like binary DER; convert it: openssl x509"
                + " -inform der -in " + abs(der)));
    }

    @Test
    void aBrokenBlockNamesItsLine() throws Exception {
        Path open = Files.writeString(dir.resolve("open.pem"), "# comment\n-----BEGIN CERTIFICATE-----\nAAAA\n");
        assertEquals(abs(open) + ": '-----BEGIN CERTIFICATE-----' on line 2 has no '-----END CERTIFICATE-----' line",
                pemFails(open, gateway.keyFile()).getMessage());
        Path bad = Files.writeString(dir.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
        assertTrue(pemFails(bad, gateway.keyFile()).getMessage().startsWith(abs(bad)
                + ": the CERTIFICATE on line 1 is not valid base64"));
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), TestPki.pem("CERTIFICATE", new byte[] {1, 2, 3}));
        assertTrue(pemFails(garbage, gateway.keyFile()).getMessage().startsWith(abs(garbage)
                + ": the certificate on line 1 cannot be read"));
    }

    @Test
    void aCertificateFileMustHoldACertificateAndNoKey() throws Exception {
        Path publicKey = Files.writeString(dir.resolve("pub.pem"), TestPki.pem("PUBLIC KEY",
                gateway.certificate().getPublicKey().getEncoded()));
        assertEquals(abs(publicKey) + " holds no certificate ('-----BEGIN CERTIFICATE-----'); it holds: PUBLIC KEY",
                pemFails(publicKey, gateway.keyFile()).getMessage());
        Path combined = Files.writeString(dir.resolve("combined.pem"),
                Files.readString(gateway.certificateFile()) + Files.readString(gateway.keyFile()));
        assertTrue(pemFails(combined, gateway.keyFile()).getMessage().startsWith(abs(combined)
                + " holds a private key (line "));
    }

    @Test
    void theKeyFileMustBePrivateToItsOwner() throws Exception {
        Path open = Files.copy(gateway.keyFile(), dir.resolve("open.key"));
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(abs(open) + " has mode 0644 (rw-r--r--); must not be accessible by group or others: chmod 600 "
                + abs(open), pemFails(gateway.certificateFile(), open).getMessage());
    }

    @Test
    void aKeyFileWithoutAKeySaysWhatItHolds() throws Exception {
        Path notKey = secret("cert-as-key.pem", Files.readString(gateway.certificateFile()));
        assertEquals(abs(notKey) + " holds no private key ('-----BEGIN PRIVATE KEY-----'); it holds: CERTIFICATE",
                pemFails(gateway.certificateFile(), notKey).getMessage());
    }

    @Test
    void keysInOtherFormatsAreRefusedWithTheCommandThatConverts() throws Exception {
        String body = Files.readString(gateway.keyFile());
        Path encrypted = secret("enc.key", body.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"));
        assertEquals(abs(encrypted) + ": the key on line 1 is encrypted PKCS#8; pi-gateway reads unencrypted PKCS#8"
                + " keys only and relies on the file's mode instead: openssl pkcs8 -topk8 -nocrypt -in " + abs(encrypted)
                + " -out key.pem", pemFails(gateway.certificateFile(), encrypted).getMessage());
        Path pkcs1 = secret("rsa.key", body.replace("PRIVATE KEY", "RSA PRIVATE KEY"));
        assertEquals(abs(pkcs1) + ": the key on line 1 is 'RSA PRIVATE KEY' (PKCS#1/SEC1); pi-gateway reads PKCS#8"
                + " ('PRIVATE KEY'). Convert it: openssl pkcs8 -topk8 -nocrypt -in " + abs(pkcs1) + " -out key.pem",
                pemFails(gateway.certificateFile(), pkcs1).getMessage());
        Path legacy = secret("legacy.key", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertTrue(pemFails(gateway.certificateFile(), legacy).getMessage().startsWith(abs(legacy)
                + ": the RSA PRIVATE KEY on line 1 is encrypted (Proc-Type: 4,ENCRYPTED)"));
        Path twice = secret("twice.key", body + body);
        assertEquals(abs(twice) + " holds more than one private key (lines 1 and "
                + (body.lines().count() + 1) + "); keep the one that belongs to the"
                + " certificate", pemFails(gateway.certificateFile(), twice).getMessage());
        Path damaged = secret("damaged.key", TestPki.pem("PRIVATE KEY", new byte[] {0x30, 3, 2, 1, 0}));
        assertEquals(abs(damaged) + ": the key on line 1 is neither an RSA nor an EC key, or is damaged; pi-gateway"
                + " supports RSA and EC (P-256, P-384) keys", pemFails(gateway.certificateFile(), damaged).getMessage());
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() throws Exception {
        TestPki.Issued other = pki.server("other");
        ConfigException e = pemFails(gateway.certificateFile(), other.keyFile());
        assertEquals(abs(other.keyFile()) + ": the private key does not match the certificate"
                + " CN=gw (DNS:localhost, IP:127.0.0.1, IP:0:0:0:0:0:0:0:1) in " + abs(gateway.certificateFile())
                + "; the two files must be from the same certificate request", e.getMessage());
        TestPki.Issued rsa = pki.issue(new TestPki.Request("rsa").server().rsa());
        assertTrue(pemFails(gateway.certificateFile(), rsa.keyFile()).getMessage().startsWith(abs(rsa.keyFile())
                + ": the private key is RSA but the certificate CN=gw"));
    }

    @Test
    void anExpiredCertificateIsRefusedAndOneThatSoonExpiresIsAWarning() throws Exception {
        Instant t = Instant.parse("2025-03-01T12:00:00Z");
        TestPki.Issued expired = pki.issue(new TestPki.Request("old").server()
                .valid(t.minus(Duration.ofDays(90)), t.minus(Duration.ofDays(1))));
        assertEquals(abs(expired.certificateFile()) + ": the certificate CN=old expired on 2025-02-28; renew it"
                + " (docs/TLS.md)", assertThrows(ConfigException.class,
                () -> KeyMaterial.fromPem(expired.certificateFile(), expired.keyFile(), t)).getMessage());

        TestPki.Issued soon = pki.issue(new TestPki.Request("soon").server()
                .valid(t.minus(Duration.ofDays(60)), t.plus(Duration.ofDays(12)).plusSeconds(60)));
        assertEquals(List.of(abs(soon.certificateFile()) + ": the certificate CN=soon expires on 2025-03-13, in 12 days;"
                + " renew it (docs/TLS.md)"), KeyMaterial.fromPem(soon.certificateFile(), soon.keyFile(), t).warnings(t));

        TestPki.Issued future = pki.issue(new TestPki.Request("future").server()
                .valid(t.plus(Duration.ofDays(2)), t.plus(Duration.ofDays(90))));
        List<String> w = KeyMaterial.fromPem(future.certificateFile(), future.keyFile(), t).warnings(t);
        assertEquals(1, w.size());
        assertTrue(w.getFirst().contains("is not valid before 2025-03-03") && w.getFirst().contains("clock"), w.getFirst());
    }

    @Test
    void aKeystoreWithTheWrongPasswordOrNoKeyOrNotAKeystoreIsRefused() throws Exception {
        Path[] p12 = gateway.pkcs12("right");
        Path wrong = secret("wrong.password", "wrong\n");
        assertEquals(abs(p12[0]) + ": wrong password (the first line of " + abs(wrong) + "), or the keystore is damaged",
                assertThrows(ConfigException.class, () -> KeyMaterial.fromPkcs12(p12[0], wrong, now)).getMessage());

        Path notP12 = Files.copy(gateway.keyFile(), dir.resolve("not.p12"));
        assertTrue(assertThrows(ConfigException.class, () -> KeyMaterial.fromPkcs12(notP12, p12[1], now)).getMessage()
                .startsWith(abs(notP12) + " is not a PKCS#12 keystore"));

        java.security.KeyStore trustOnly = java.security.KeyStore.getInstance("PKCS12");
        trustOnly.load(null, null);
        trustOnly.setCertificateEntry("ca", pki.caCertificate());
        Path trustFile = dir.resolve("trust.p12");
        try (var out = Files.newOutputStream(trustFile)) {
            trustOnly.store(out, "right".toCharArray());
        }
        Files.setPosixFilePermissions(trustFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertEquals(abs(trustFile) + " holds no private key, only 1 trusted certificate",
                assertThrows(ConfigException.class, () -> KeyMaterial.fromPkcs12(trustFile, p12[1], now)).getMessage());
    }

    @Test
    void theKeystoreAndItsPasswordFileAreSecretFiles() throws Exception {
        Path[] p12 = gateway.pkcs12("right");
        Files.setPosixFilePermissions(p12[1], java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--"));
        assertTrue(assertThrows(ConfigException.class, () -> KeyMaterial.fromPkcs12(p12[0], p12[1], now)).getMessage()
                .startsWith(abs(p12[1]) + " has mode 0664 (rw-rw-r--)"));
        Files.setPosixFilePermissions(p12[0], java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(assertThrows(ConfigException.class, () -> KeyMaterial.fromPkcs12(p12[0], p12[1], now)).getMessage()
                .startsWith(abs(p12[0]) + " has mode 0644 (rw-r--r--)"));
    }
}
