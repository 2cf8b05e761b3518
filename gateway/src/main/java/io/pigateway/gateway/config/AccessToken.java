package io.pigateway.gateway.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The read-only access token of the HTTP endpoint ({@code http.token-file}). Never printed: its
 * {@link #toString()} says only that there is one, so configuration dumps and logs stay clean.
 */
public final class AccessToken {
    /** Shorter tokens are refused at start-up: they could be guessed over the network. */
    public static final int MIN_LENGTH = 16;

    private final byte[] value;

    public AccessToken(String value) {
        if (value.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the token has " + value.length() + " characters; at least "
                    + MIN_LENGTH + " are needed");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == ';' || c == ',' || c == '"' || c == '\\') {
                throw new IllegalArgumentException("the token may hold printable ASCII characters but no spaces, ';',"
                        + " ',', '\"' or '\\' (it travels in a header and a cookie)");
            }
        }
        this.value = value.getBytes(StandardCharsets.US_ASCII);
    }

    /** Whether {@code candidate} is the token, in time that does not depend on where they differ. */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(value, candidate.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "AccessToken[set]";
    }
}
