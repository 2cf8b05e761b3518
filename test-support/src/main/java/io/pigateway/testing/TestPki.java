package io.pigateway.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for tests, made fresh in a temporary directory: a CA, server
 * certificates for loopback and device certificates, written as PEM files (keys and keystores mode
 * 0600) the way docs/TLS.md tells an operator to make them with openssl.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final Path caFile;

    private TestPki(Path dir, KeyPair caKeys, X509Certificate caCertificate, Path caFile) {
        this.dir = dir;
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
        this.caFile = caFile;
    }

    /** A CA named {@code name}, valid from yesterday for a year, written to {@code dir/name-ca.pem}. */
    public static TestPki create(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        KeyPair keys = ec();
        Instant now = Instant.now();
        X500Principal subject = new X500Principal("CN=" + name + " CA,O=pi-gateway tests");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(365))), subject, keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        X509Certificate ca = sign(b, keys.getPrivate());
        Path caFile = dir.resolve(name + "-ca.pem");
        Files.writeString(caFile, pem("CERTIFICATE", ca.getEncoded()));
        return new TestPki(dir, keys, ca, caFile);
    }

    public Path caFile() {
        return caFile;
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    /** A gateway certificate for loopback: DNS localhost, IP 127.0.0.1 and ::1. */
    public Issued server(String cn) throws Exception {
        return issue(new Request(cn).dns("localhost").ip("127.0.0.1").ip("::1").server());
    }

    /** A device certificate: subject CN = the device id, for client authentication. */
    public Issued device(String deviceId) throws Exception {
        return issue(new Request(deviceId).client());
    }

    public Issued issue(Request r) throws Exception {
        KeyPair keys = r.rsa ? rsa() : ec();
        X500Principal subject = new X500Principal("CN=" + r.cn + ",O=pi-gateway tests");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCertificate, serial(), Date.from(r.notBefore),
                Date.from(r.notAfter), subject, keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(r.purposes.toArray(KeyPurposeId[]::new)));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCertificate));
        if (!r.alternativeNames.isEmpty()) {
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(r.alternativeNames.toArray(GeneralName[]::new)));
        }
        X509Certificate certificate = sign(b, caKeys.getPrivate());
        String base = r.cn.replace(':', '_') + "-" + SERIAL.incrementAndGet();
        Path certificateFile = dir.resolve(base + ".pem");
        Files.writeString(certificateFile, pem("CERTIFICATE", certificate.getEncoded()));
        Path keyFile = secret(dir.resolve(base + ".key"), pem("PRIVATE KEY", keys.getPrivate().getEncoded())
                .getBytes(StandardCharsets.US_ASCII));
        return new Issued(certificate, keys.getPrivate(), caCertificate, certificateFile, keyFile);
    }

    /** What to put in a certificate; by default valid from yesterday for 90 days, EC P-256, no names. */
    public static final class Request {
        final String cn;
        final List<GeneralName> alternativeNames = new ArrayList<>();
        final List<KeyPurposeId> purposes = new ArrayList<>();
        Instant notBefore = Instant.now().minus(Duration.ofDays(1));
        Instant notAfter = Instant.now().plus(Duration.ofDays(90));
        boolean rsa;

        public Request(String cn) {
            this.cn = cn;
        }

        public Request dns(String name) {
            alternativeNames.add(new GeneralName(GeneralName.dNSName, name));
            return this;
        }

        public Request ip(String address) {
            alternativeNames.add(new GeneralName(GeneralName.iPAddress, address));
            return this;
        }

        public Request server() {
            purposes.add(KeyPurposeId.id_kp_serverAuth);
            return this;
        }

        public Request client() {
            purposes.add(KeyPurposeId.id_kp_clientAuth);
            return this;
        }

        public Request valid(Instant from, Instant until) {
            notBefore = from;
            notAfter = until;
            return this;
        }

        public Request rsa() {
            rsa = true;
            return this;
        }
    }

    /** A certificate, its key and the files they were written to. */
    public record Issued(X509Certificate certificate, PrivateKey key, X509Certificate ca, Path certificateFile,
                         Path keyFile) {
        /** The key and certificate (with the CA after it) as a PKCS#12 file, mode 0600, and its password file. */
        public Path[] pkcs12(String password) throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", key, password.toCharArray(), new X509Certificate[] {certificate, ca});
            Path file = certificateFile.resolveSibling(certificateFile.getFileName() + ".p12");
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            Path passwordFile = secret(certificateFile.resolveSibling(certificateFile.getFileName() + ".p12.password"),
                    (password + "\n").getBytes(StandardCharsets.UTF_8));
            return new Path[] {file, passwordFile};
        }
    }

    /** {@code content} in a new file that only its owner may read and write. */
    public static Path secret(Path file, byte[] content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, content);
        return file;
    }

    /** PEM text: the label's BEGIN line, base64 in 64-character lines, the END line. */
    public static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    private static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        String algorithm = signer.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(algorithm).build(signer)));
    }
}
