package io.pigateway.common.tls;

import io.pigateway.common.ConfigException;
import io.pigateway.common.SecretFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A private key with its certificate chain (own certificate first), checked when loaded: the key
 * matches the certificate, the chain is in order, no certificate has expired.
 *
 * @param origin where it came from, for messages
 */
public record KeyMaterial(PrivateKey key, List<X509Certificate> chain, String origin) {
    public KeyMaterial {
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least the certificate itself");
        }
    }

    /** The certificate the key belongs to. */
    public X509Certificate certificate() {
        return chain.getFirst();
    }

    /**
     * From a PEM certificate file (the certificate, then any intermediate CA certificates) and a PEM
     * file holding the unencrypted PKCS#8 private key. The key file is a {@link SecretFile}: it must
     * not be accessible by group or others.
     */
    public static KeyMaterial fromPem(Path certificateFile, Path keyFile, Instant now) throws ConfigException {
        List<PemFile.Block> certificateBlocks = PemFile.read(certificateFile);
        Certificates.requireNoPrivateKey(certificateBlocks, certificateFile,
                "keep the key in a file of its own with mode 0600 and name that file as the key file");
        List<X509Certificate> chain = Certificates.fromPem(certificateBlocks, certificateFile);
        PrivateKey key = PrivateKeys.fromPem(PemFile.parse(SecretFile.at(keyFile).bytes(), keyFile), keyFile);
        String certificateOrigin = certificateFile.toAbsolutePath().toString();
        PrivateKeys.requireMatch(key, chain.getFirst(), keyFile.toAbsolutePath().toString(), certificateOrigin);
        requireOrdered(chain, certificateOrigin);
        requireNotExpired(chain, certificateOrigin, now);
        return new KeyMaterial(key, chain, certificateOrigin);
    }

    /**
     * From a PKCS#12 keystore holding exactly one private key entry, with its password in a secret
     * file. The keystore itself is treated as a secret file too; key and keystore share the password.
     */
    public static KeyMaterial fromPkcs12(Path keystoreFile, Path passwordFile, Instant now) throws ConfigException {
        String where = keystoreFile.toAbsolutePath().toString();
        byte[] content = SecretFile.at(keystoreFile).bytes();
        char[] password = SecretFile.at(passwordFile).firstLine().toCharArray();
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(content), password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new ConfigException(where + ": wrong password (the first line of " + passwordFile.toAbsolutePath()
                        + "), or the keystore is damaged", e);
            }
            throw new ConfigException(where + " is not a PKCS#12 keystore: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new ConfigException(where + " cannot be read: " + e.getMessage(), e);
        }
        try {
            List<String> keyAliases = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keyAliases.add(alias);
                }
            }
            if (keyAliases.isEmpty()) {
                throw new ConfigException(where + " holds no private key, only " + store.size() + " trusted certificate"
                        + (store.size() == 1 ? "" : "s"));
            }
            if (keyAliases.size() > 1) {
                throw new ConfigException(where + " holds " + keyAliases.size() + " private keys (aliases "
                        + String.join(", ", keyAliases) + "); keep the one this program should use");
            }
            String alias = keyAliases.getFirst();
            Key key;
            try {
                key = store.getKey(alias, password);
            } catch (UnrecoverableKeyException e) {
                throw new ConfigException(where + ": the key '" + alias + "' has another password than the keystore;"
                        + " give both the same password", e);
            }
            if (!(key instanceof PrivateKey privateKey)) {
                throw new ConfigException(where + ": the entry '" + alias + "' is not a private key");
            }
            Certificate[] certificates = store.getCertificateChain(alias);
            if (certificates == null || certificates.length == 0) {
                throw new ConfigException(where + ": the key '" + alias + "' has no certificate");
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : certificates) {
                chain.add((X509Certificate) c);
            }
            PrivateKeys.requireMatch(privateKey, chain.getFirst(), where, where);
            requireOrdered(chain, where);
            requireNotExpired(chain, where, now);
            return new KeyMaterial(privateKey, chain, where);
        } catch (GeneralSecurityException e) {
            throw new ConfigException(where + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Warnings for certificates of the chain that expire soon or are not valid yet. */
    public List<String> warnings(Instant now) {
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            String w = Validity.warning(chain.get(i), i == 0 ? "the certificate" : "the intermediate CA certificate", origin, now);
            if (w != null) {
                warnings.add(w);
            }
        }
        return warnings;
    }

    /** Each certificate must be issued by the next: peers are sent the chain in this order. */
    private static void requireOrdered(List<X509Certificate> chain, String where) throws ConfigException {
        for (int i = 0; i + 1 < chain.size(); i++) {
            if (!chain.get(i).getIssuerX500Principal().equals(chain.get(i + 1).getSubjectX500Principal())) {
                throw new ConfigException(where + ": certificate " + (i + 2) + " (" + CertificateNames.describe(chain.get(i + 1))
                        + ") did not issue certificate " + (i + 1) + " (" + CertificateNames.describe(chain.get(i))
                        + ", issued by " + CertificateNames.issuer(chain.get(i)) + "); list the certificate first, then"
                        + " the CA that issued it, and so on");
            }
        }
    }

    private static void requireNotExpired(List<X509Certificate> chain, String where, Instant now) throws ConfigException {
        for (int i = 0; i < chain.size(); i++) {
            Validity.requireNotExpired(chain.get(i), i == 0 ? "the certificate" : "the intermediate CA certificate", where, now);
        }
    }
}
