package io.pigateway.gateway.testing;

import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.Reading;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
    private final Socket socket;
    private final OutputStream raw;
    private final FrameWriter out;
    private final FrameReader in;
    private long lastAck;

    private TestDevice(Socket socket) throws IOException {
        this.socket = socket;
        this.raw = socket.getOutputStream();
        this.out = new FrameWriter(raw);
        this.in = new FrameReader(socket.getInputStream(), Frames.PROTOCOL_MAX_PAYLOAD);
    }

    /** A TCP connection, no handshake yet. */
    public static TestDevice open(InetSocketAddress gateway) throws IOException {
        Socket s = new Socket();
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
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket();
        try {
            s.connect(gateway, 5000);
            s.setSoTimeout(15_000);
            s.setTcpNoDelay(true);
            SSLParameters p = s.getSSLParameters();
            p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
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
        return hello(open(gateway), deviceId, streamId);
    }

    /** As {@link #connect}, over TLS. */
    public static TestDevice connectTls(InetSocketAddress gateway, SSLContext tls, String deviceId, long streamId)
            throws IOException {
        return hello(openTls(gateway, tls), deviceId, streamId);
    }

    private static TestDevice hello(TestDevice d, String deviceId, long streamId) throws IOException {
        d.send(new Message.Hello(deviceId, System.currentTimeMillis(), streamId));
        Message reply = d.next();
        if (!(reply instanceof Message.HelloOk)) {
            d.close();
            throw new IOException("expected HELLO_OK, got " + reply);
        }
        return d;
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

    /** The next frame from the gateway; {@code null} if it closed the connection. */
    public Message next() throws IOException {
        return in.read();
    }

    /** Reads until an ACK covers {@code seq}; fails on a NACK, end of stream, or timeout. */
    public long awaitAck(long seq, Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            while (lastAck < seq) {
                Message m = in.read();
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
            Message m = in.read();
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
                Message m = in.read();
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

    /** This end's port: the gateway's log lines name the peer by address and port. */
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
