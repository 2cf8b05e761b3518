package io.pigateway.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.SecretFile;
import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.HelloProof;
import io.pigateway.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorTest {
    static final String SECRET = "s3cret-of-the-kitchen-pi";

    @TempDir
    Path dir;

    @Test
    void everyHelloCostsOneHmacWhetherTheDeviceIsKnownOrNot() throws Exception {
        Path file = Files.writeString(dir.resolve("devices"), "pi-kitchen " + SECRET + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        AuthConfig config = AuthConfig.secrets(file, DeviceSecrets.load(SecretFile.at(file)));
        List<byte[]> keys = new ArrayList<>();
        Authenticator auth = new Authenticator(config, (secret, nonce, id, stream) -> {
            keys.add(secret);
            return HelloProof.compute(secret, nonce, id, stream);
        });
        byte[] nonce = HelloProof.nonce();
        byte[] right = HelloProof.compute(SECRET.getBytes(StandardCharsets.US_ASCII), nonce, "pi-kitchen", 7);
        byte[] wrong = HelloProof.compute("a-wrong-secret-0123".getBytes(StandardCharsets.US_ASCII), nonce, "pi-kitchen", 7);

        assertNull(auth.problem(hello("pi-kitchen", right), nonce));
        String[] problems = {
            auth.problem(hello("pi-kitchen", wrong), nonce),
            auth.problem(hello("pi-unknown", wrong), nonce),
            auth.problem(hello("pi-unknown", new byte[0]), nonce),
            auth.problem(hello("pi-kitchen", new byte[0]), nonce),
            auth.problem(hello("pi-kitchen", new byte[5]), nonce),
        };
        assertTrue(problems[0].contains("wrong proof"), problems[0]);
        assertTrue(problems[1].contains("not in"), problems[1]);
        assertTrue(problems[2].contains("not in"), problems[2]);
        assertTrue(problems[3].contains("no proof"), problems[3]);
        assertTrue(problems[4].contains("wrong proof"), problems[4]);
        assertEquals(6, keys.size(), "one HMAC per HELLO, whatever was wrong with it");
        byte[] dummy = keys.get(2);
        assertEquals(32, dummy.length, "an unknown device's proof is checked against a dummy secret");
        assertArrayEquals(SECRET.getBytes(StandardCharsets.US_ASCII), keys.get(0), "a known device's against its own");
    }

    private static Message.Hello hello(String deviceId, byte[] proof) {
        return new Message.Hello(Frames.VERSION, deviceId, 0, 7, proof);
    }
}
