package io.pigateway.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.common.SecretFile;
import io.pigateway.gateway.auth.DeviceSecrets;
import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.HelloProof;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.SensorInfo;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway that requires device secrets: only listed devices that prove their secret get in; the
 * client learns only "authentication failed"; a device id that keeps failing from one address gets
 * slower answers, its neighbours at that address do not; and a device that does everything right
 * keeps getting its readings committed meanwhile.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AuthenticationIT {
    static final Duration WAIT = Duration.ofSeconds(15);
    static final String SECRET = "s3cret-of-the-kitchen-pi";
    static final String OTHER_SECRET = "secret-of-the-garage-pi!";
    /** Another host on loopback, so the slow-down of 127.0.0.1 does not touch it. */
    static final InetAddress GOOD_HOST = loopback(2);
    @TempDir
    static Path dir;
    static RunningGateway g;

    static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static Path privateFile(Path file, String content) throws Exception {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @BeforeAll
    static void start() throws Exception {
        Path devices = privateFile(dir.resolve("devices"), String.join("\n", "# device secret",
                "pi-kitchen " + SECRET, "pi-garage " + OTHER_SECRET, "good " + SECRET, ""));
        AuthConfig auth = AuthConfig.secrets(devices, DeviceSecrets.load(SecretFile.at(devices)));
        g = RunningGateway.start(dir, c -> c.withAuth(auth));
    }

    @AfterAll
    static void stop() {
        g.close();
    }

    /** After every test, a device that proves its secret (from another host) still gets everything committed. */
    @AfterEach
    void goodDeviceStillServed() throws Exception {
        g.assertGoodDeviceServed(GOOD_HOST, SECRET);
    }

    static Message.Nack refusedHello(Message.Hello hello) throws Exception {
        try (TestDevice d = TestDevice.openFrom(loopback(3), g.address())) {
            d.challengeNonce();
            d.send(hello);
            return assertInstanceOf(Message.Nack.class, d.next());
        }
    }

    @Test
    void aListedDeviceThatProvesItsSecretIsServed() throws Exception {
        try (TestDevice d = TestDevice.connectFrom(loopback(3), g.address(), "pi-kitchen", 7, SECRET)) {
            d.sendRange(1, 500, 100);
            assertEquals(500, d.awaitAck(500, WAIT));
        }
        assertEquals(500, g.rows("pi-kitchen"));
    }

    @Test
    void anUnknownDeviceAWrongSecretAndNoProofAreAllJustAuthenticationFailed() throws Exception {
        for (String[] attempt : new String[][] {{"pi-unknown", SECRET}, {"pi-kitchen", OTHER_SECRET}, {"pi-kitchen", null}}) {
            try (TestDevice d = TestDevice.openFrom(loopback(4), g.address())) {
                d.send(d.hello(attempt[0], 7, attempt[1]));
                Message.Nack n = assertInstanceOf(Message.Nack.class, d.next());
                assertEquals(NackCode.AUTHENTICATION_FAILED, n.nackCode());
                assertEquals("authentication failed", n.reason(), "the client is not told which check failed");
                assertTrue(d.closedByGateway(WAIT));
            }
        }
        assertEquals(0, g.rows("pi-unknown"));
    }

    @Test
    void aHelloRecordedOnOneConnectionIsUselessOnAnother() throws Exception {
        Message.Hello recorded;
        try (TestDevice d = TestDevice.openFrom(loopback(5), g.address())) {
            recorded = d.hello("pi-garage", 9, OTHER_SECRET);
        }
        assertEquals(NackCode.AUTHENTICATION_FAILED, refusedHello(recorded).nackCode());
    }

    @Test
    void aProofForOneStreamOrDeviceDoesNotPassForAnother() throws Exception {
        try (TestDevice d = TestDevice.openFrom(loopback(6), g.address())) {
            byte[] proofForStream1 = HelloProof.compute(SECRET.getBytes(StandardCharsets.UTF_8), d.challengeNonce(),
                    "pi-kitchen", 1);
            d.send(new Message.Hello(Frames.VERSION, "pi-kitchen", System.currentTimeMillis(), 2, proofForStream1));
            assertEquals(NackCode.AUTHENTICATION_FAILED, assertInstanceOf(Message.Nack.class, d.next()).nackCode());
        }
    }

    /** Sends a HELLO of {@code deviceId} proving {@code secret} from {@code from}; the answer and the ms it took. */
    static Answer hello(InetAddress from, String deviceId, String secret) throws Exception {
        try (TestDevice d = TestDevice.openFrom(from, g.address())) {
            Message.Hello hello = d.hello(deviceId, 7, secret);
            long started = System.nanoTime();
            d.send(hello);
            Message answer = d.next();
            return new Answer(answer, (System.nanoTime() - started) / 1_000_000);
        }
    }

    record Answer(Message message, long millis) { }

    @Test
    void aDeviceIdThatKeepsFailingGetsSlowerAnswersWhileItsNeighboursBehindTheSameAddressDoNot() throws Exception {
        InetAddress site = loopback(7);
        // Failures 1..4 are answered after 0, 250, 500 and 1000 ms.
        for (int i = 0; i < 4; i++) {
            Answer a = hello(site, "pi-kitchen", "guess-number-" + i + "-xxxxxxxx");
            assertEquals(NackCode.AUTHENTICATION_FAILED, assertInstanceOf(Message.Nack.class, a.message()).nackCode());
        }
        long started = System.nanoTime();
        try (TestDevice d = TestDevice.openFrom(site, g.address())) {
            d.challengeNonce();
            long waitedMillis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(waitedMillis < 1000, "the CHALLENGE is never delayed; it came after " + waitedMillis + " ms");
        }
        Answer fifth = hello(site, "pi-kitchen", "guess-number-5-xxxxxxxx");
        assertEquals(NackCode.AUTHENTICATION_FAILED, assertInstanceOf(Message.Nack.class, fifth.message()).nackCode());
        assertTrue(fifth.millis() >= 1900 && fifth.millis() < 4000, "after 4 failures the answer waits 2 s, not "
                + fifth.millis() + " ms");

        Answer neighbour = hello(site, "pi-garage", OTHER_SECRET);
        assertInstanceOf(Message.HelloOk.class, neighbour.message());
        assertTrue(neighbour.millis() < 1000, "another device from the same address is answered at once, not after "
                + neighbour.millis() + " ms");
        Answer fixed = hello(site, "pi-kitchen", SECRET);
        assertInstanceOf(Message.HelloOk.class, fixed.message());
        assertTrue(fixed.millis() >= 1900, "a success waits as long as a failure would (" + fixed.millis() + " ms):"
                + " its speed must not give it away");
        Answer again = hello(site, "pi-kitchen", SECRET);
        assertTrue(again.millis() < 1000, "after a success the device is forgiven; answered after " + again.millis() + " ms");
    }

    @Test
    void hostileIdentifiersAreRefusedByTheCharacterRuleNotInterpreted() throws Exception {
        String[] ids = {"x'; DROP TABLE readings; --", "pi\u0000kitchen", "pi\nkitchen", "\"pi\"", "a".repeat(10_000)};
        for (String id : ids) {
            Message.Nack n = refusedHello(new Message.Hello(Frames.VERSION, id, 0, 7, new byte[0]));
            assertEquals(NackCode.HELLO_REFUSED, n.nackCode(), n.reason());
            assertTrue(n.reason().contains("allowed are A-Z a-z 0-9 . _ - :") || n.reason().contains("at most 64"),
                    n.reason());
        }
        // A sensor name is held to the same rule, in HELLO and in READINGS.
        Message.Nack sensor = refusedHello(new Message.Hello(Frames.VERSION, "pi-kitchen", 0, 7, new byte[0],
                List.of(new SensorInfo("t'); DELETE FROM readings; --", "", "", false))));
        assertEquals(NackCode.HELLO_REFUSED, sensor.nackCode(), sensor.reason());
        try (TestDevice d = TestDevice.connectFrom(loopback(9), g.address(), "pi-kitchen", 8, SECRET)) {
            d.send(TestDevice.readings(1, 1, "temp' OR '1'='1"));
            Message.Nack n = d.awaitNack(WAIT);
            assertEquals(NackCode.INVALID_READING, n.nackCode(), n.reason());
        }
    }

    @Test
    void textThatMayHoldQuotesIsStoredVerbatim() throws Exception {
        String kind = "x'); DROP TABLE readings; -- \"quoted\" \\ back";
        try (TestDevice d = TestDevice.openFrom(loopback(10), g.address())) {
            Message.Hello hello = d.hello("pi-garage", 11, OTHER_SECRET);
            d.send(new Message.Hello(hello.protocolVersion(), hello.deviceId(), hello.clientClockMillis(),
                    hello.streamId(), hello.credentials(), List.of(new SensorInfo("temp", "°C", kind, false))));
            assertInstanceOf(Message.HelloOk.class, d.next());
            d.send(TestDevice.readings(1, 1, "temp"));
            d.awaitAck(1, WAIT);
        }
        assertEquals(1, io.pigateway.gateway.testing.TestStores.shared().queryLong(g.store,
                "SELECT COUNT(*) FROM sensors WHERE device_id = 'pi-garage' AND sensor = 'temp' AND kind = ?", kind));
        assertEquals(1, g.rows("pi-garage"), "the readings table is still there");
    }
}
