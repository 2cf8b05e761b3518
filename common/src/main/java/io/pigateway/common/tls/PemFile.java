package io.pigateway.common.tls;

import io.pigateway.common.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The blocks of a PEM file (RFC 7468): {@code -----BEGIN LABEL-----}, base64 lines,
 * {@code -----END LABEL-----}, with anything outside blocks (comments, {@code openssl x509 -text}
 * output) ignored. Parsed here with {@link Base64} so that no crypto library is needed.
 */
final class PemFile {
    static final String CERTIFICATE = "CERTIFICATE";
    static final String PRIVATE_KEY = "PRIVATE KEY";

    /** One block: its label, its decoded bytes (DER) and the line its BEGIN is on, for messages. */
    record Block(String label, byte[] der, int line) {
    }

    private PemFile() {
    }

    /** Reads a file that holds nothing secret (certificates). */
    static List<Block> read(Path file) throws ConfigException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("cannot read " + file.toAbsolutePath() + ": no such file", e);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        return parse(content, file);
    }

    /** The blocks in {@code content}; fails if there are none or one is broken. */
    static List<Block> parse(byte[] content, Path file) throws ConfigException {
        String where = file.toAbsolutePath().toString();
        // ISO-8859-1 maps every byte to a char, so a binary (DER) file is read without decoding errors.
        String[] lines = new String(content, StandardCharsets.ISO_8859_1).split("\r?\n", -1);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String label = label(lines[i].strip(), "-----BEGIN ");
            if (label == null) {
                continue;
            }
            int begin = i + 1;
            StringBuilder base64 = new StringBuilder();
            boolean ended = false;
            for (i++; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.startsWith("-----END ")) {
                    if (!label.equals(label(line, "-----END "))) {
                        throw new ConfigException(where + ": '-----BEGIN " + label + "-----' on line " + begin
                                + " ends with '" + line + "' on line " + (i + 1));
                    }
                    ended = true;
                    break;
                }
                if (line.contains(":")) {
                    // RFC 1421 headers: only legacy OpenSSL encryption puts them in keys.
                    if (line.startsWith("Proc-Type:") && line.contains("ENCRYPTED")) {
                        throw new ConfigException(where + ": the " + label + " on line " + begin + " is encrypted"
                                + " (Proc-Type: 4,ENCRYPTED); pi-gateway reads unencrypted PKCS#8 keys only and relies"
                                + " on the file's mode instead: openssl pkcs8 -topk8 -nocrypt -in " + where
                                + " -out key.pem");
                    }
                    continue;
                }
                base64.append(line);
            }
            if (!ended) {
                throw new ConfigException(where + ": '-----BEGIN " + label + "-----' on line " + begin
                        + " has no '-----END " + label + "-----' line");
            }
            try {
                blocks.add(new Block(label, Base64.getDecoder().decode(base64.toString()), begin));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where + ": the " + label + " on line " + begin + " is not valid base64: "
                        + e.getMessage());
            }
        }
        if (blocks.isEmpty()) {
            boolean binary = content.length > 0 && content[0] == 0x30; // a DER SEQUENCE
            throw new ConfigException(where + " is not a PEM file: it has no '-----BEGIN' line"
                    + (binary ? " (it looks like binary DER; convert it: openssl x509 -inform der -in " + where
                    + " -out cert.pem, or openssl pkcs8 -inform der ... for a key)" : ""));
        }
        return blocks;
    }

    /** The labels of the blocks, for "it holds: CERTIFICATE, PRIVATE KEY". */
    static String labels(List<Block> blocks) {
        return blocks.stream().map(Block::label).distinct().collect(Collectors.joining(", "));
    }

    private static String label(String line, String prefix) {
        if (!line.startsWith(prefix) || !line.endsWith("-----") || line.length() < prefix.length() + 5) {
            return null;
        }
        return line.substring(prefix.length(), line.length() - 5).strip();
    }
}
