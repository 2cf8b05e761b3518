package io.pigateway.client.link;

import io.pigateway.client.config.GatewayAddress;
import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Function;

/** One TCP connection to a gateway: connect, handshake, then frames in and out. */
final class Connection implements Closeable {
    private final GatewayAddress address;
    private final Socket socket;
    private final FrameReader in;
    private final FrameWriter out;

    private Connection(GatewayAddress address, Socket socket) throws IOException {
        this.address = address;
        this.socket = socket;
        // Gateway → client frames are small (ACK, NACK with a ≤ 1 KiB reason, PING); the default bound is plenty.
        this.in = new FrameReader(socket.getInputStream(), Frames.DEFAULT_MAX_PAYLOAD);
        this.out = new FrameWriter(socket.getOutputStream());
    }

    /** Connects within {@code timeout}; the host name is resolved now, so DNS changes are seen. */
    static Connection open(GatewayAddress address, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(address.host(), address.port()), millis(timeout));
            return new Connection(address, socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Waits up to {@code timeout} for the gateway's CHALLENGE, sends the HELLO made for its nonce, and
     * waits up to {@code timeout} again for the answer.
     *
     * @throws GatewayRefusedException the gateway answered with a NACK
     * @throws IOException             no answer in time, the connection broke, or the answer made no sense
     */
    Message.HelloOk handshake(Function<byte[], Message.Hello> helloForNonce, Duration timeout)
            throws IOException, GatewayRefusedException {
        socket.setSoTimeout(millis(timeout));
        Message challenge;
        try {
            challenge = in.read();
        } catch (SocketTimeoutException e) {
            throw new IOException("no CHALLENGE from the gateway within " + Texts.seconds(timeout), e);
        }
        byte[] nonce = switch (challenge) {
            case null -> throw new EOFException("the gateway closed the connection before its CHALLENGE");
            case Message.Challenge c -> c.nonce();
            case Message.Nack nack -> throw new GatewayRefusedException(nack);
            default -> throw new IOException("the gateway opened with " + challenge.type() + " instead of CHALLENGE");
        };
        out.write(helloForNonce.apply(nonce));
        Message answer;
        try {
            answer = in.read();
        } catch (SocketTimeoutException e) {
            throw new IOException("no answer to HELLO within " + Texts.seconds(timeout), e);
        }
        socket.setSoTimeout(0); // from here on, liveness is judged by the session's PING/ACK timing
        return switch (answer) {
            case null -> throw new EOFException("the gateway closed the connection without answering HELLO");
            case Message.HelloOk ok -> ok;
            case Message.Nack nack -> throw new GatewayRefusedException(nack);
            default -> throw new IOException("the gateway answered HELLO with " + answer.type()
                    + " instead of HELLO_OK or NACK");
        };
    }

    /** The next frame, or {@code null} at a clean end of stream. */
    Message read() throws IOException {
        return in.read();
    }

    /** Thread-safe: frames from the sending and the receiving thread never interleave. */
    void write(Message m) throws IOException {
        out.write(m);
    }

    GatewayAddress address() {
        return address;
    }

    /** Idempotent and callable from any thread; a thread blocked reading or writing gets an exception. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do with a socket that fails to close
        }
    }

    private static int millis(Duration d) {
        return Math.clamp(d.toMillis(), 1, Integer.MAX_VALUE);
    }
}
