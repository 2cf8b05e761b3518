package io.pigateway.client.testing;

import io.pigateway.client.config.GatewayAddress;
import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.HelloProof;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.Reading;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A stand-in gateway for tests: speaks protocol v1 on 127.0.0.1 with the protocol module's
 * FrameReader/FrameWriter, records what it receives, and misbehaves on request. Like the real one it
 * acknowledges cumulatively and deduplicates by seq (the {@link #committed()} set).
 */
public final class FakeGateway implements AutoCloseable {
    /** What to answer the n-th HELLO (0-based) with: a HelloOk or a Nack. */
    public volatile IntFunction<Message> helloAnswer = n -> new Message.HelloOk(System.currentTimeMillis(),
            Frames.DEFAULT_MAX_PAYLOAD, 4096);
    /** Acknowledge each READINGS frame right away. */
    public volatile boolean ack = true;
    /** On the first connection only: close it, unacknowledged, on receiving this READINGS frame (1-based); 0 = never. */
    public volatile int dropFirstConnectionAtFrame;
    /** On the first connection only: answer this READINGS frame (1-based) with this NACK and close; null = never. */
    public volatile Message.Nack nackFirstConnectionFrame;
    public volatile int nackAtFrame;
    /** Answer PING with PONG (a stuck gateway does not). */
    public volatile boolean answerPings = true;

    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Message.Hello> hellos = new CopyOnWriteArrayList<>();
    private final List<List<Reading>> framesReceived = new CopyOnWriteArrayList<>();
    private final List<Long> seqsReceived = new CopyOnWriteArrayList<>();
    private final List<Integer> framesPerConnection = new CopyOnWriteArrayList<>();
    private final NavigableSet<Long> committed = new ConcurrentSkipListSet<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<Long> pongs = new CopyOnWriteArrayList<>();
    private final AtomicInteger pingsReceived = new AtomicInteger();
    private final AtomicInteger byes = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile FrameWriter currentWriter;
    private volatile long highestReceivedOnCurrent;

    private FakeGateway() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().name("fake-gateway-accept").start(this::acceptLoop);
    }

    public static FakeGateway start() throws IOException {
        return new FakeGateway();
    }

    public GatewayAddress address() {
        return new GatewayAddress("127.0.0.1", server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                int n = connections.getAndIncrement();
                Thread.ofVirtual().name("fake-gateway-conn-" + n).start(() -> serve(s, n));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int connection) {
        int frames = 0;
        framesPerConnection.add(0);
        try (socket) {
            FrameReader in = new FrameReader(socket.getInputStream(), Frames.PROTOCOL_MAX_PAYLOAD);
            FrameWriter out = new FrameWriter(socket.getOutputStream());
            out.write(new Message.Challenge(HelloProof.nonce())); // as the real gateway, before anything else
            Message first = in.read();
            if (!(first instanceof Message.Hello hello)) {
                violations.add("first frame was " + first);
                return;
            }
            hellos.add(hello);
            Message answer = helloAnswer.apply(hellos.size() - 1);
            out.write(answer);
            if (answer instanceof Message.Nack) {
                return;
            }
            Message.HelloOk ok = (Message.HelloOk) answer;
            currentWriter = out;
            long lastSeq = 0;
            while (true) {
                Message m = in.read();
                if (m == null) {
                    return;
                }
                switch (m) {
                    case Message.Readings r -> {
                        frames++;
                        framesPerConnection.set(connection, frames);
                        framesReceived.add(r.readings());
                        check(r, ok, lastSeq, hello);
                        for (Reading reading : r.readings()) {
                            seqsReceived.add(reading.seq());
                        }
                        lastSeq = r.lastSeq();
                        highestReceivedOnCurrent = lastSeq;
                        if (connection == 0 && frames == dropFirstConnectionAtFrame) {
                            return; // abrupt close, this frame unacknowledged
                        }
                        if (connection == 0 && frames == nackAtFrame && nackFirstConnectionFrame != null) {
                            out.write(nackFirstConnectionFrame);
                            lingerClose(socket); // as the real gateway: the client gets to read the NACK
                            return;
                        }
                        if (ack) {
                            acknowledge(out, lastSeq);
                        }
                    }
                    case Message.Ping p -> {
                        pingsReceived.incrementAndGet();
                        if (answerPings) {
                            out.write(new Message.Pong(p.nonce()));
                        }
                    }
                    case Message.Pong p -> pongs.add(p.nonce());
                    case Message.Bye b -> {
                        byes.incrementAndGet();
                        out.write(new Message.Bye());
                        return;
                    }
                    default -> violations.add("unexpected " + m.type() + " from the client");
                }
            }
        } catch (IOException e) {
            // the client went away or the test closed us
        } finally {
            currentWriter = null;
        }
    }

    /** Half-closes and discards input for up to a second, so unread input does not reset the connection. */
    private static void lingerClose(Socket socket) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(1000);
            byte[] discard = new byte[8192];
            while (socket.getInputStream().read(discard) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // timed out or reset: close now
        }
    }

    private void check(Message.Readings r, Message.HelloOk ok, long lastSeq, Message.Hello hello) {
        if (r.readings().size() > ok.maxReadingsPerFrame()) {
            violations.add("frame of " + r.readings().size() + " readings, limit " + ok.maxReadingsPerFrame());
        }
        int payload = FrameWriter.encode(r).length - Frames.HEADER_BYTES - Frames.TRAILER_BYTES;
        if (payload > ok.maxPayloadBytes()) {
            violations.add("frame payload of " + payload + " bytes, limit " + ok.maxPayloadBytes());
        }
        long previous = lastSeq;
        for (Reading reading : r.readings()) {
            if (reading.seq() <= previous) {
                violations.add("seq " + reading.seq() + " after " + previous + " on one connection");
            }
            if (!Double.isFinite(reading.value())) {
                violations.add("non-finite value at seq " + reading.seq());
            }
            // As the real gateway: only sensors this connection's HELLO announced.
            if (hello.sensors().stream().noneMatch(s -> s.name().equals(reading.sensor()))) {
                violations.add("seq " + reading.seq() + " is of sensor " + reading.sensor() + ", not announced in HELLO");
            }
            previous = reading.seq();
        }
    }

    /** Commits everything received up to {@code upTo} (as the real gateway would) and says so. */
    private void acknowledge(FrameWriter out, long upTo) throws IOException {
        for (Long seq : seqsReceived) {
            if (seq <= upTo) {
                committed.add(seq);
            }
        }
        out.write(new Message.Ack(upTo));
    }

    /** Acknowledges everything the current connection received so far. */
    public void ackNow() throws IOException {
        FrameWriter w = currentWriter;
        if (w != null) {
            acknowledge(w, highestReceivedOnCurrent);
        }
    }

    public void sendPing(long nonce) throws IOException {
        currentWriter.write(new Message.Ping(nonce));
    }

    /** Closes every open client connection, as a crashing gateway would. */
    public void dropConnections() throws IOException {
        for (Socket s : open) {
            s.close();
        }
    }

    public List<Message.Hello> hellos() {
        return List.copyOf(hellos);
    }

    public int connections() {
        return connections.get();
    }

    public List<List<Reading>> frames() {
        return List.copyOf(framesReceived);
    }

    public List<Long> seqsReceived() {
        return List.copyOf(seqsReceived);
    }

    public List<Integer> framesPerConnection() {
        return new ArrayList<>(framesPerConnection);
    }

    public NavigableSet<Long> committed() {
        return committed;
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    public List<Long> pongs() {
        return List.copyOf(pongs);
    }

    public int pingsReceived() {
        return pingsReceived.get();
    }

    public int byes() {
        return byes.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropConnections();
        try {
            acceptor.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
