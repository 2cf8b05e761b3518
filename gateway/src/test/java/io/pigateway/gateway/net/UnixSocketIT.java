package io.pigateway.gateway.net;

import io.pigateway.common.net.UnixSocket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigateway.gateway.config.GatewayConfig;
import io.pigateway.gateway.config.UnixSocketConfig;
import io.pigateway.gateway.testing.TestStores;
import io.pigateway.testing.TestDevice;
import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binary protocol on a Unix domain socket ({@code listen.unix-socket}): served as on TCP, the
 * socket file gets its configured mode, a stale one is replaced and anything else at the path is
 * left alone, and socat (a client nobody here wrote) gets its readings acknowledged.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixSocketIT {
    static final Duration WAIT = Duration.ofSeconds(15);

    static UnaryOperator<GatewayConfig> unix(Path socket, String mode) {
        return c -> c.withListen(c.listen().withUnixSocket(new UnixSocketConfig(socket, UnixSocketConfig.parseMode(mode))));
    }

    @Test
    void aDeviceOnTheUnixSocketIsAcknowledgedAndARetryIsStoredOnce(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("gateway.sock");
        try (RunningGateway g = RunningGateway.start(dir, unix(socket, "0660"))) {
            try (TestDevice d = TestDevice.connectOver(UnixSocket.connect(socket), "local-pi", 7, null)) {
                d.sendRange(1, 100, 10);
                assertEquals(100, d.awaitAck(100, WAIT));
            }
            // The client did not see the last ACKs (say) and sends 51..100 again on a new connection.
            try (TestDevice d = TestDevice.connectOver(UnixSocket.connect(socket), "local-pi", 7, null)) {
                d.sendRange(51, 120, 10);
                assertEquals(120, d.awaitAck(120, WAIT));
            }
            assertEquals(120, g.rows("local-pi"), "one row per reading, the resent ones once");
            assertEquals(120, g.distinctKeys());
            assertEquals("unix:" + socket, text(g, "SELECT peer_address FROM connections WHERE device_id = 'local-pi'"));
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            // TCP goes on beside it.
            g.assertGoodDeviceServed(null, null);
        }
        assertFalse(Files.exists(socket), "the gateway removes its socket file when it stops");
    }

    @Test
    void silentClientsOnTheUnixSocketAreCutOffByTheHandshakeAndIdleTimeouts(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("gateway.sock");
        Duration handshake = Duration.ofMillis(800);
        Duration idle = Duration.ofMillis(1500);
        try (RunningGateway g = RunningGateway.startEmbedded(dir,
                c -> unix(socket, "0660").apply(c.withLimits(c.limits().withTimeouts(handshake, idle))))) {
            long start = System.nanoTime();
            try (TestDevice silent = TestDevice.openOver(UnixSocket.connect(socket))) {
                assertInstanceOf(Message.Challenge.class, silent.firstFrame());
                Message.Nack n = silent.awaitNack(WAIT);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(NackCode.TIMEOUT, n.nackCode(), n.reason());
                assertTrue(millis >= handshake.toMillis() - 100 && millis < handshake.toMillis() + 1000, "TIMEOUT after " + millis + " ms");
            }
            try (TestDevice idler = TestDevice.connectOver(UnixSocket.connect(socket), "idler", 1, null)) {
                // Frames within the idle timeout keep it open; then silence ends it.
                for (int i = 1; i <= 3; i++) {
                    Thread.sleep(idle.toMillis() / 3);
                    idler.sendRange(i, i, 1);
                    assertEquals(i, idler.awaitAck(i, WAIT));
                }
                long quiet = System.nanoTime();
                Message.Nack n = idler.awaitNack(WAIT);
                long millis = (System.nanoTime() - quiet) / 1_000_000;
                assertEquals(NackCode.IDLE_TIMEOUT, n.nackCode(), n.reason());
                assertTrue(millis >= idle.toMillis() - 200 && millis < idle.toMillis() + 1000, "IDLE_TIMEOUT after " + millis + " ms");
            }
        }
    }

    @Test
    void theSocketFileGetsTheConfiguredMode(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("owner-only.sock");
        try (RunningGateway g = RunningGateway.startEmbedded(dir, unix(socket, "0600"))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            String ls = lsLd(socket);
            assertTrue(ls.startsWith("srw------- "), "ls -ld shows a socket with mode 0600: " + ls);
        }
    }

    @Test
    void aStaleSocketFileIsReplacedButAFileOrALiveSocketIsNot(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("gateway.sock");
        // What a killed gateway leaves: a socket file nobody listens on (closing a channel keeps the file).
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        try (RunningGateway g = RunningGateway.startEmbedded(dir, unix(socket, "0660"))) {
            try (TestDevice d = TestDevice.connectOver(UnixSocket.connect(socket), "after-crash", 1, null)) {
                d.sendRange(1, 5, 5);
                assertEquals(5, d.awaitAck(5, WAIT));
            }
            // A second gateway on the same path must not take the socket from the running one.
            IOException live = assertThrows(IOException.class,
                    () -> RunningGateway.startEmbedded(dir.resolve("second"), unix(socket, "0660")).close());
            assertTrue(live.getMessage().contains("unix:" + socket + " (listen.unix-socket): another process"),
                    live.getMessage());
            try (TestDevice d = TestDevice.connectOver(UnixSocket.connect(socket), "still-served", 1, null)) {
                d.sendRange(1, 1, 1);
                assertEquals(1, d.awaitAck(1, WAIT));
            }
        }
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "not a socket");
        IOException notSocket = assertThrows(IOException.class,
                () -> RunningGateway.startEmbedded(dir.resolve("third"), unix(file, "0660")).close());
        assertTrue(notSocket.getMessage().contains("is not a socket"), notSocket.getMessage());
        assertEquals("not a socket", Files.readString(file), "a file that is not a socket is never deleted");
    }

    @Test
    void socatSendingRecordedFramesGetsEveryReadingAcknowledged(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("gateway.sock");
        // HELLO without a proof (auth.mode = open in tests), 30 readings in 3 frames, BYE: written ahead, so
        // socat sends them without reading the CHALLENGE first; the gateway reads them in order.
        ByteArrayOutputStream script = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(script);
        w.write(new Message.Hello(Frames.VERSION, "socat-pi", System.currentTimeMillis(), 3, new byte[0], TestDevice.SENSORS));
        for (long seq = 1; seq <= 30; seq += 10) {
            w.write(TestDevice.readings(seq, 10, "temperature"));
        }
        w.write(new Message.Bye());
        Path in = Files.write(dir.resolve("frames.bin"), script.toByteArray());
        Path out = dir.resolve("answers.bin");
        try (RunningGateway g = RunningGateway.startEmbedded(dir, unix(socket, "0660"))) {
            // -t 10: after sending everything socat waits up to 10 s for the gateway to finish and close.
            Process socat = new ProcessBuilder("socat", "-t", "10", "STDIO", "UNIX-CONNECT:" + socket)
                    .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectErrorStream(false).start();
            assertTrue(socat.waitFor(20, TimeUnit.SECONDS), "socat ended once the gateway said BYE and closed");
            assertEquals(0, socat.exitValue());
            List<Message> answers = new ArrayList<>();
            FrameReader r = new FrameReader(new ByteArrayInputStream(Files.readAllBytes(out)), Frames.PROTOCOL_MAX_PAYLOAD);
            for (Message m = r.read(); m != null; m = r.read()) {
                answers.add(m);
            }
            assertInstanceOf(Message.Challenge.class, answers.getFirst());
            assertInstanceOf(Message.HelloOk.class, answers.get(1));
            assertInstanceOf(Message.Bye.class, answers.getLast());
            long acked = answers.stream().filter(m -> m instanceof Message.Ack).mapToLong(m -> ((Message.Ack) m).upToSeq())
                    .max().orElse(0);
            assertEquals(30, acked, "the last ACK covers all 30 readings: " + answers);
            assertEquals(30, TestStores.shared().queryLong(g.store, "SELECT COUNT(*) FROM readings WHERE device_id = 'socat-pi'"));
        }
    }

    private static String text(RunningGateway g, String sql) throws Exception {
        try (Connection c = TestStores.connect(g.store); PreparedStatement s = c.prepareStatement(sql);
             ResultSet r = s.executeQuery()) {
            return r.next() ? r.getString(1) : null;
        }
    }

    /** {@code ls -ld} of a path: the mode as the operator sees it, file type included. */
    private static String lsLd(Path p) throws IOException, InterruptedException {
        Process ls = new ProcessBuilder("ls", "-ld", p.toString()).redirectErrorStream(true).start();
        String line = new String(ls.getInputStream().readAllBytes()).strip();
        assertTrue(ls.waitFor(5, TimeUnit.SECONDS));
        return line;
    }
}
