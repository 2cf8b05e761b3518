package io.pigateway.client.link;

import io.pigateway.client.config.GatewayAddress;
import io.pigateway.client.config.GatewayTlsConfig;
import io.pigateway.common.net.UnixSocket;
import io.pigateway.common.tls.TlsFailures;
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
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/** One TCP connection to a gateway, with TLS if configured: connect, handshake, then frames in and out. */
final class GatewayConnection implements Closeable {
    private final GatewayAddress address;
    /** The TCP socket, closed directly: see {@link #close()}. */
    private final Socket plain;
    /** What frames travel over: {@link #plain}, or TLS layered on it. */
    private final Socket socket;
    private final FrameReader in;
    private final FrameWriter out;

    private GatewayConnection(GatewayAddress address, Socket plain, Socket socket) throws IOException {
        this.address = address;
        this.plain = plain;
        this.socket = socket;
        // Gateway → client frames are small (ACK, NACK with a ≤ 1 KiB reason, PING); the default bound is plenty.
        this.in = new FrameReader(socket.getInputStream(), Frames.DEFAULT_MAX_PAYLOAD);
        this.out = new FrameWriter(socket.getOutputStream());
    }

    /**
     * Connects within {@code timeout}; the host name is resolved now, so DNS changes are seen. With
     * TLS enabled, TLS is layered on the connected socket and the TLS handshake is the first step of
     * {@link #handshake}.
     */
    static GatewayConnection open(GatewayAddress address, Duration timeout, GatewayTlsConfig tls) throws IOException {
        if (address.isUnix()) {
            // A local connect waits on no network, so no timeout; never TLS (SensorClientConfig refuses it).
            Socket unix = UnixSocket.connect(address.unixSocket());
            return new GatewayConnection(address, unix, unix);
        }
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.setKeepAlive(true);
            plain.connect(new InetSocketAddress(address.host(), address.port()), millis(timeout));
            Socket socket = plain;
            if (tls.enabled()) {
                String serverName = tls.serverName() != null ? tls.serverName() : address.host();
                socket = tls.context().overConnected(plain, serverName, address.port());
            }
            return new GatewayConnection(address, plain, socket);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /**
     * The TLS handshake, within {@code timeout}; nothing to do without TLS. Done before the HELLO is
     * made, so that the clock in the HELLO is not late by the handshake's duration.
     *
     * @throws TlsHandshakeException saying why in an operator's words
     */
    void startTls(Duration timeout) throws IOException {
        if (socket instanceof SSLSocket tls) {
            socket.setSoTimeout(millis(timeout));
            try {
                tls.startHandshake();
            } catch (IOException e) {
                throw new TlsHandshakeException(TlsFailures.describe(e), e);
            }
        }
    }

    /**
     * The next message of the handshake, within the socket timeout already set.
     *
     * @param missing what the timeout message says is missing, e.g. "no answer to HELLO"
     */
    private Message readDuringHandshake(String missing, Duration timeout) throws IOException {
        try {
            return in.read();
        } catch (SocketTimeoutException e) {
            throw new IOException(missing + " within " + Texts.seconds(timeout), e);
        } catch (SSLException e) {
            // Under TLS 1.3 a gateway that refuses this device's certificate says so only after our
            // side of the handshake ended: its alert arrives instead of the CHALLENGE.
            throw new TlsHandshakeException(TlsFailures.describe(e), e);
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
        Message challenge = readDuringHandshake("no CHALLENGE from the gateway", timeout);
        byte[] nonce = switch (challenge) {
            case null -> throw tlsRefusal().<IOException>map(t -> t)
                    .orElseGet(() -> new EOFException("the gateway closed the connection before its CHALLENGE"));
            case Message.Challenge c -> c.nonce();
            case Message.Nack nack -> throw new GatewayRefusedException(nack);
            default -> throw new IOException("the gateway opened with " + challenge.type() + " instead of CHALLENGE");
        };
        try {
            out.write(helloForNonce.apply(nonce));
        } catch (IOException e) {
            // The gateway's TLS alert may already wait in the socket and say why.
            throw tlsRefusal().orElseThrow(() -> e);
        }
        Message answer = readDuringHandshake("no answer to HELLO", timeout);
        socket.setSoTimeout(0); // from here on, liveness is judged by the session's PING/ACK timing
        return switch (answer) {
            case null -> throw new EOFException("the gateway closed the connection without answering HELLO");
            case Message.HelloOk ok -> ok;
            case Message.Nack nack -> throw new GatewayRefusedException(nack);
            default -> throw new IOException("the gateway answered HELLO with " + answer.type()
                    + " instead of HELLO_OK or NACK");
        };
    }

    /** The gateway's TLS alert, if one is what broke the connection. */
    private Optional<TlsHandshakeException> tlsRefusal() {
        if (!(socket instanceof SSLSocket)) {
            return Optional.empty();
        }
        try {
            in.read();
        } catch (SSLException alert) {
            return Optional.of(new TlsHandshakeException(TlsFailures.describe(alert), alert));
        } catch (IOException e) {
            // no alert after all
        }
        return Optional.empty();
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

    /**
     * Idempotent and callable from any thread; a thread blocked reading or writing gets an exception.
     * Closes the TCP socket: under TLS no close_notify is sent, since that could block behind a
     * writer stuck on a gateway that stopped reading. Frames carry their own ends and checksums.
     */
    @Override
    public void close() {
        try {
            plain.close();
        } catch (IOException e) {
            // nothing left to do with a socket that fails to close
        }
    }

    private static int millis(Duration d) {
        return Math.clamp(d.toMillis(), 1, Integer.MAX_VALUE);
    }
}
