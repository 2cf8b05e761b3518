package io.pigateway.testing;

import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.HelloProof;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A protocol-level client for tests: speaks v1 frame by frame over a real loopback socket, and can
 * also write raw bytes, so tests can send exactly the broken input they mean to.
 */
public final class TestDevice implements AutoCloseable {
    /** The sensors every test device announces in HELLO: the names the tests' readings use. */
    public static final List<SensorInfo> SENSORS = List.of(
            new SensorInfo("temperature", "°C", "simulated.temperature", true),
            new SensorInfo("humidity", "%RH", "simulated.humidity", true),
            new SensorInfo("temp", "°C", "simulated.temperature", true),
            new SensorInfo("t", "°C", "simulated.temperature", true));

    private final Socket socket;
    private final OutputStream raw;
    private final FrameWriter out;
    private final FrameReader in;
    private long lastAck;
    private byte[] nonce; // of the gateway's CHALLENGE, once read

    private TestDevice(Socket socket) throws IOException {
        this.socket = socket;
        this.raw = socket.getOutputStream();
        this.out = new FrameWriter(raw);
        this.in = new FrameReader(socket.getInputStream(), Frames.PROTOCOL_MAX_PAYLOAD);
    }

    /** A TCP connection, no handshake yet. */
    public static TestDevice open(InetSocketAddress gateway) throws IOException {
        return openFrom(null, gateway);
    }

    /** A TCP connection from {@code local} (e.g. 127.0.0.2, to be another host on loopback; null: any). */
    public static TestDevice openFrom(InetAddress local, InetSocketAddress gateway) throws IOException {
        Socket s = new Socket();
        if (local != null) {
            s.bind(new InetSocketAddress(local, 0));
        }
        s.connect(gateway, 5000);
        s.setSoTimeout(15_000);
        s.setTcpNoDelay(true);
        return new TestDevice(s);
    }

    /**
     * A TCP connection with a completed TLS handshake (TLS 1.3 or 1.2, the gateway's certificate checked
     * against the address as HTTPS does), no HELLO yet.
     */
    public static TestDevice openTls(InetSocketAddress gateway, SSLContext tls) throws IOException {
        return openTls(gateway, tls, "TLSv1.3", "TLSv1.2");
    }

    /** As {@link #openTls(InetSocketAddress, SSLContext)}, offering only {@code protocols}. */
    public static TestDevice openTls(InetSocketAddress gateway, SSLContext tls, String... protocols) throws IOException {
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket();
        try {
            s.connect(gateway, 5000);
            s.setSoTimeout(15_000);
            s.setTcpNoDelay(true);
            SSLParameters p = s.getSSLParameters();
            p.setProtocols(protocols);
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            return new TestDevice(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Connects and completes the handshake; fails if the gateway answers anything but HELLO_OK. */
    public static TestDevice connect(InetSocketAddress gateway, String deviceId, long streamId) throws IOException {
        return connect(gateway, deviceId, streamId, null);
    }

    /**
     * Connects and completes the handshake proving {@code secret} (none if {@code null}); fails if the
     * gateway answers anything but HELLO_OK.
     */
    public static TestDevice connect(InetSocketAddress gateway, String deviceId, long streamId, String secret)
            throws IOException {
        return connectFrom(null, gateway, deviceId, streamId, secret);
    }

    /** As {@link #connect(InetSocketAddress, String, long, String)}, from the local address {@code local}. */
    public static TestDevice connectFrom(InetAddress local, InetSocketAddress gateway, String deviceId, long streamId,
                                         String secret) throws IOException {
        return handshake(openFrom(local, gateway), deviceId, streamId, secret);
    }

    /** A socket the test opened itself (e.g. to {@code listen.unix-socket}), no handshake yet. */
    public static TestDevice openOver(Socket socket) throws IOException {
        socket.setSoTimeout(15_000);
        return new TestDevice(socket);
    }

    /**
     * As {@link #connect(InetSocketAddress, String, long, String)}, over a socket the test opened itself,
     * e.g. to the gateway's Unix domain socket ({@code listen.unix-socket}).
     */
    public static TestDevice connectOver(Socket socket, String deviceId, long streamId, String secret) throws IOException {
        return handshake(openOver(socket), deviceId, streamId, secret);
    }

    /** As {@link #connect(InetSocketAddress, String, long)}, over TLS. */
    public static TestDevice connectTls(InetSocketAddress gateway, SSLContext tls, String deviceId, long streamId)
            throws IOException {
        return handshake(openTls(gateway, tls), deviceId, streamId, null);
    }

    /** As {@link #connectTls(InetSocketAddress, SSLContext, String, long)}, offering only {@code protocol}. */
    public static TestDevice connectTls(InetSocketAddress gateway, SSLContext tls, String deviceId, long streamId,
                                        String protocol) throws IOException {
        return handshake(openTls(gateway, tls, protocol), deviceId, streamId, null);
    }

    private static TestDevice handshake(TestDevice d, String deviceId, long streamId, String secret) throws IOException {
        try {
            d.send(d.hello(deviceId, streamId, secret));
            Message reply = d.next();
            if (!(reply instanceof Message.HelloOk)) {
                throw new IOException("expected HELLO_OK, got " + reply);
            }
            return d;
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** A HELLO answering this connection's CHALLENGE with a proof of {@code secret} ({@code null}: no proof). */
    public Message.Hello hello(String deviceId, long streamId, String secret) throws IOException {
        byte[] proof = secret == null ? new byte[0]
                : HelloProof.compute(secret.getBytes(StandardCharsets.UTF_8), challengeNonce(), deviceId, streamId);
        return new Message.Hello(Frames.VERSION, deviceId, System.currentTimeMillis(), streamId, proof, SENSORS);
    }

    /** The first frame the gateway sent: its CHALLENGE (whose nonce is kept) or a refusal. */
    public Message firstFrame() throws IOException {
        Message m = in.read();
        if (m instanceof Message.Challenge c) {
            nonce = c.nonce();
        }
        return m;
    }

    /** The nonce of the gateway's CHALLENGE, reading it if it has not been read yet. */
    public byte[] challengeNonce() throws IOException {
        if (nonce == null) {
            Message m = in.read();
            if (!(m instanceof Message.Challenge c)) {
                throw new IOException("expected CHALLENGE as the gateway's first frame, got " + m);
            }
            nonce = c.nonce();
        }
        return nonce.clone();
    }

    public void send(Message m) throws IOException {
        out.write(m);
    }

    public void sendRaw(byte[] bytes) throws IOException {
        raw.write(bytes);
        raw.flush();
    }

    /** Readings {@code from}..{@code from+count-1} of one sensor, value = seq / 10, timestamp = seq. */
    public static Message.Readings readings(long from, int count, String sensor) {
        List<Reading> list = new ArrayList<>(count);
        for (long seq = from; seq < from + count; seq++) {
            list.add(new Reading(seq, sensor, 1_700_000_000_000L + seq, seq / 10.0));
        }
        return new Message.Readings(list);
    }

    /** Sends seq {@code from}..{@code to} in frames of {@code perFrame}. */
    public void sendRange(long from, long to, int perFrame) throws IOException {
        for (long seq = from; seq <= to; seq += perFrame) {
            send(readings(seq, (int) Math.min(perFrame, to - seq + 1), "temperature"));
        }
    }

    /**
     * The next frame from the gateway; {@code null} if it closed the connection. The CHALLENGE that
     * opens every connection is consumed on the way (its nonce kept), so tests see what follows it.
     */
    public Message next() throws IOException {
        Message m = in.read();
        if (nonce == null && m instanceof Message.Challenge c) {
            nonce = c.nonce();
            m = in.read();
        }
        return m;
    }

    /** Reads until an ACK covers {@code seq}; fails on a NACK, end of stream, or timeout. */
    public long awaitAck(long seq, Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            while (lastAck < seq) {
                Message m = next();
                switch (m) {
                    case null -> throw new IOException("gateway closed the connection at ack " + lastAck + ", waiting for " + seq);
                    case Message.Ack a -> lastAck = a.upToSeq();
                    case Message.Nack n -> throw new IOException("NACK " + n.nackCode() + ": " + n.reason());
                    default -> {
                    }
                }
            }
            return lastAck;
        } catch (SocketTimeoutException e) {
            throw new IOException("no ACK for seq " + seq + " within " + timeout.toMillis() + " ms; last ACK " + lastAck, e);
        }
    }

    /** Reads until a NACK arrives and returns it; ACKs on the way are remembered. */
    public Message.Nack awaitNack(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        while (true) {
            Message m = next();
            switch (m) {
                case null -> throw new IOException("gateway closed the connection without a NACK");
                case Message.Nack n -> {
                    return n;
                }
                case Message.Ack a -> lastAck = a.upToSeq();
                default -> {
                }
            }
        }
    }

    /** True once the gateway has closed its side (reads reach the end of the stream). */
    public boolean closedByGateway(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            while (true) {
                Message m = next();
                if (m == null) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the gateway
        }
    }

    /** Sets the socket's read timeout, e.g. to time how long the gateway takes to say something. */
    public void readTimeout(Duration d) throws IOException {
        socket.setSoTimeout((int) d.toMillis());
    }

    /** This end's port: the gateway's log lines name the peer by address and port. */
    /** The socket frames travel over (an {@code SSLSocket} for a TLS device). */
    public Socket socket() {
        return socket;
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    public long lastAck() {
        return lastAck;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
