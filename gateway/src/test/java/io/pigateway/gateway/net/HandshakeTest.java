package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.SecretFile;
import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.gateway.auth.Authenticator;
import io.pigateway.gateway.auth.DeviceSecrets;
import io.pigateway.gateway.auth.FailurePenalty;
import io.pigateway.gateway.auth.SourcePrefix;
import io.pigateway.protocol.HelloProof;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.ProtocolException;
import io.pigateway.protocol.SensorInfo;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HELLO checks without a socket: each refusal's code, and a right proof passing. */
class HandshakeTest {
    private static final String SECRET = "0123456789abcdef-secret";

    @TempDir
    Path dir;

    private static NackCode refusedWith(Message.Hello hello) {
        return assertThrows(ProtocolException.class, () -> Handshake.checkHello(hello)).nackCode();
    }

    @Test
    void aMalformedHelloIsRefusedNamingWhatIsWrong() throws Exception {
        assertEquals(NackCode.UNSUPPORTED_VERSION, refusedWith(new Message.Hello(2, "pi-1", 0, 7, new byte[0])));
        assertEquals(NackCode.HELLO_REFUSED, refusedWith(new Message.Hello("bad id", 0, 7)));
        assertEquals(NackCode.HELLO_REFUSED, refusedWith(new Message.Hello("pi-1", 0, 0)));
        assertEquals(NackCode.HELLO_REFUSED, refusedWith(new Message.Hello("pi-1", 0, 7,
                List.of(new SensorInfo("no spaces allowed", "", "", false)))));
        Handshake.checkHello(new Message.Hello("pi-1", 0, 7, List.of(new SensorInfo("temp", "°C", "bme280.temperature", false))));
    }

    @Test
    void onlyTheRightProofPassesAndAWrongOneSaysWhyOnlyToTheOperator() throws Exception {
        Path devices = dir.resolve("devices");
        Files.writeString(devices, "pi-1 " + SECRET + "\n");
        Files.setPosixFilePermissions(devices, PosixFilePermissions.fromString("rw-------"));
        Handshake handshake = new Handshake(new Authenticator(AuthConfig.secrets(devices,
                DeviceSecrets.load(SecretFile.at(devices)))), new FailurePenalty());
        SourcePrefix source = SourcePrefix.of(InetAddress.getLoopbackAddress(), 32, 64);
        byte[] nonce = HelloProof.nonce();
        byte[] proof = HelloProof.compute(SECRET.getBytes(StandardCharsets.US_ASCII), nonce, "pi-1", 7);
        handshake.authenticate(new Message.Hello(1, "pi-1", 0, 7, proof), nonce, source);

        Refusal wrong = assertThrows(Refusal.class,
                () -> handshake.authenticate(new Message.Hello(1, "pi-1", 0, 8, proof), nonce, source));
        assertEquals(NackCode.AUTHENTICATION_FAILED, wrong.code());
        assertEquals("authentication failed", wrong.reason());
        assertTrue(wrong.getMessage().contains("wrong proof"), wrong.getMessage());
        Refusal unknown = assertThrows(Refusal.class,
                () -> handshake.authenticate(new Message.Hello(1, "pi-2", 0, 7, proof), nonce, source));
        assertEquals("authentication failed", unknown.reason(), "the client cannot tell an unknown device from a wrong secret");
    }

    @Test
    void aClientCertificateMustNameTheDeviceTheHelloNames() throws Exception {
        Handshake.checkCertificate(new Message.Hello("pi-1", 0, 7), PeerIdentity.NONE);
        PeerIdentity pi1 = new PeerIdentity(true, "pi-1", List.of("pi-1.example"));
        Handshake.checkCertificate(new Message.Hello("pi-1", 0, 7), pi1);
        Handshake.checkCertificate(new Message.Hello("pi-1.example", 0, 7), pi1);
        assertEquals(NackCode.CERTIFICATE_MISMATCH, assertThrows(ProtocolException.class,
                () -> Handshake.checkCertificate(new Message.Hello("pi-2", 0, 7), pi1)).nackCode());
    }
}
