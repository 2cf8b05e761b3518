package io.pigateway.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HelloProofTest {
    private static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NONCE = new byte[32];

    static {
        for (int i = 0; i < NONCE.length; i++) {
            NONCE[i] = (byte) i;
        }
    }

    @Test
    void theProofMatchesAnIndependentlyComputedHmacSha256() {
        // python3: hmac.new(secret, b"pi-gateway hello v1\0" + nonce + u16(len) + id + i64(stream), sha256)
        assertEquals("cfc497de07e098a0f31b6ca95453bece6a0fa80f444cbbe4e25145edeb1e9c2e",
                HexFormat.of().formatHex(HelloProof.compute(SECRET, NONCE, "pi-kitchen", 0x0123456789abcdefL)));
    }

    @Test
    void aProofHoldsOnlyForItsNonceDeviceStreamAndSecret() {
        byte[] proof = HelloProof.compute(SECRET, NONCE, "pi-kitchen", 7);
        assertTrue(HelloProof.verify(SECRET, NONCE, "pi-kitchen", 7, proof));
        byte[] otherNonce = NONCE.clone();
        otherNonce[31] ^= 1;
        assertFalse(HelloProof.verify(SECRET, otherNonce, "pi-kitchen", 7, proof), "replayed on another connection");
        assertFalse(HelloProof.verify(SECRET, NONCE, "pi-garage", 7, proof), "used for another device");
        assertFalse(HelloProof.verify(SECRET, NONCE, "pi-kitchen", 8, proof), "used for another stream");
        assertFalse(HelloProof.verify("wrong".getBytes(StandardCharsets.UTF_8), NONCE, "pi-kitchen", 7, proof));
        assertFalse(HelloProof.verify(SECRET, NONCE, "pi-kitchen", 7, Arrays.copyOf(proof, 31)), "truncated");
        assertFalse(HelloProof.verify(SECRET, NONCE, "pi-kitchen", 7, new byte[0]), "no proof at all");
    }

    @Test
    void noncesAreFreshEachTime() {
        byte[] a = HelloProof.nonce();
        assertEquals(32, a.length);
        assertNotEquals(HexFormat.of().formatHex(a), HexFormat.of().formatHex(HelloProof.nonce()));
        assertArrayEquals(a, new Message.Challenge(a).nonce());
    }
}
