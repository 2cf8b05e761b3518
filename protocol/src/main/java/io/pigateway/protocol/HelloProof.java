package io.pigateway.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a client proves it knows its device secret without sending it: HMAC-SHA256 keyed with the
 * secret's UTF-8 bytes over
 *
 * <pre>
 * offset  size  field
 *  0      19    ASCII "pi-gateway hello v1"
 * 19       1    0x00
 * 20      32    the nonce of the gateway's CHALLENGE
 * 52       2    u16 byte count n of the device id
 * 54       n    device id, UTF-8
 * 54+n     8    i64 stream id (big-endian)
 * </pre>
 *
 * The 32-byte result is HELLO's credentials field. A fresh nonce per connection makes a recorded
 * HELLO useless on another connection; covering the device id and stream id stops a proof from
 * being reused for another device or stream.
 */
public final class HelloProof {
    /** The CHALLENGE scheme number of this construction. */
    public static final int SCHEME = 1;
    public static final int NONCE_BYTES = 32;
    public static final int PROOF_BYTES = 32;
    private static final byte[] LABEL = "pi-gateway hello v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private HelloProof() {
    }

    /** A fresh random nonce for a CHALLENGE. */
    public static byte[] nonce() {
        byte[] n = new byte[NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    public static byte[] compute(byte[] secret, byte[] nonce, String deviceId, long streamId) {
        if (secret.length == 0) {
            throw new IllegalArgumentException("a device secret cannot be empty");
        }
        byte[] id = deviceId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer message = ByteBuffer.allocate(LABEL.length + 1 + nonce.length + 2 + id.length + 8);
        message.put(LABEL).put((byte) 0).put(nonce).putShort((short) id.length).put(id).putLong(streamId);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(message.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** Whether {@code proof} is right, compared in constant time. */
    public static boolean verify(byte[] secret, byte[] nonce, String deviceId, long streamId, byte[] proof) {
        return proof.length == PROOF_BYTES && MessageDigest.isEqual(compute(secret, nonce, deviceId, streamId), proof);
    }
}
