package io.pigateway.common.tls;

import io.pigateway.common.ConfigException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;

/** Private keys from PEM: unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}), RSA or EC. */
final class PrivateKeys {
    private static final List<String> ALGORITHMS = List.of("RSA", "EC");

    private PrivateKeys() {
    }

    /** The one private key in a PEM file's blocks; other blocks are ignored. */
    static PrivateKey fromPem(List<PemFile.Block> blocks, Path file) throws ConfigException {
        String where = file.toAbsolutePath().toString();
        PemFile.Block key = null;
        for (PemFile.Block b : blocks) {
            switch (b.label()) {
                case PemFile.PRIVATE_KEY -> {
                    if (key != null) {
                        throw new ConfigException(where + " holds more than one private key (lines " + key.line()
                                + " and " + b.line() + "); keep the one that belongs to the certificate");
                    }
                    key = b;
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new ConfigException(where + ": the key on line " + b.line()
                        + " is encrypted PKCS#8; pi-gateway reads unencrypted PKCS#8 keys only and relies on the file's"
                        + " mode instead: openssl pkcs8 -topk8 -nocrypt -in " + where + " -out key.pem");
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new ConfigException(where + ": the key on line "
                        + b.line() + " is '" + b.label() + "' (PKCS#1/SEC1); pi-gateway reads PKCS#8 ('PRIVATE KEY')."
                        + " Convert it: openssl pkcs8 -topk8 -nocrypt -in " + where + " -out key.pem");
                case "OPENSSH PRIVATE KEY" -> throw new ConfigException(where + " is an OpenSSH key, not a TLS key;"
                        + " pi-gateway reads PKCS#8 PEM ('BEGIN PRIVATE KEY')");
                default -> {
                    // certificates and parameters next to the key are allowed and ignored
                }
            }
        }
        if (key == null) {
            throw new ConfigException(where + " holds no private key ('-----BEGIN PRIVATE KEY-----'); it holds: "
                    + PemFile.labels(blocks));
        }
        return decode(key.der(), where + ": the key on line " + key.line());
    }

    private static PrivateKey decode(byte[] der, String what) throws ConfigException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException e) {
                // not this algorithm; try the next
            } catch (GeneralSecurityException e) {
                throw new ConfigException(what + " cannot be read: " + e.getMessage(), e);
            }
        }
        throw new ConfigException(what + " is neither an RSA nor an EC key, or is damaged; pi-gateway supports"
                + " RSA and EC (P-256, P-384) keys");
    }

    /**
     * Fails unless {@code key} belongs to {@code certificate}: a signature made with the key must
     * verify with the certificate's public key, which holds for every key type.
     */
    static void requireMatch(PrivateKey key, X509Certificate certificate, String keyOrigin, String certificateOrigin)
            throws ConfigException {
        PublicKey publicKey = certificate.getPublicKey();
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            throw new ConfigException(keyOrigin + ": the private key is " + key.getAlgorithm() + " but the certificate "
                    + CertificateNames.describe(certificate) + " in " + certificateOrigin + " holds an "
                    + publicKey.getAlgorithm() + " key; they do not belong together");
        }
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false; // e.g. an EC key on another curve than the certificate's
        }
        if (!matches) {
            throw new ConfigException(keyOrigin + ": the private key does not match the certificate "
                    + CertificateNames.describe(certificate) + " in " + certificateOrigin
                    + "; the two files must be from the same certificate request");
        }
    }
}
