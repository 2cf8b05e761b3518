package io.pigateway.bench;

import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.HelloProof;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One simulated device speaking protocol v1 over a real socket, from its own loopback source address,
 * proving its secret in HELLO as a packaged client does. It sends frames of readings with at most
 * {@code window} frames unacknowledged. Each frame carries the time it was <em>due</em>: for a
 * scheduled (open-loop) send that is its slot in the schedule, however late the window let it go, so a
 * gateway that stalls the device is charged for the wait (no coordinated omission); for a send as fast
 * as possible it is the moment of the send.
 */
final class LoadDevice implements AutoCloseable {
    private record Sent(long lastSeq, long due, long sentAt, int count) {
    }

    /** One acknowledged frame (nanoTime): when it was due, handed to the socket, and its ACK read. */
    record Frame(String device, long lastSeq, int count, long due, long sentAt, long ackReadAt) {
    }

    private static final List<SensorInfo> SENSORS = List.of(
            new SensorInfo("temperature", "°C", "simulated.temperature", true),
            new SensorInfo("humidity", "%RH", "simulated.humidity", true));

    private final Socket socket;
    private final FrameWriter out;
    private final Semaphore window;
    private final ConcurrentLinkedQueue<Sent> unacked = new ConcurrentLinkedQueue<>();
    /** Guards {@link #frames}. */
    private final Object samples = new Object();
    private List<Frame> frames = new ArrayList<>();
    private final String deviceId;
    private final Thread reader;
    private volatile long acked;
    private volatile String failure;
    /** nanoTime of the last frame written, for {@link #keepAlive}. */
    private volatile long lastWrite = System.nanoTime();
    private long nextSeq = 1;

    /**
     * Connects from {@code source} (a loopback address, so the gateway's per-address limits apply as to
     * devices on their own hosts) and completes the handshake with {@code secret}.
     */
    LoadDevice(InetSocketAddress gateway, InetAddress source, String deviceId, String secret, int window)
            throws IOException {
        this.deviceId = deviceId;
        this.socket = new Socket();
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(gateway, 10_000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(0); // idle devices wait indefinitely; sends have their own timeout
        this.out = new FrameWriter(socket.getOutputStream());
        this.window = new Semaphore(window);
        FrameReader in = new FrameReader(socket.getInputStream(), Frames.PROTOCOL_MAX_PAYLOAD);
        socket.setSoTimeout(30_000);
        Message challenge = in.read();
        if (!(challenge instanceof Message.Challenge c)) {
            socket.close();
            throw new IOException(deviceId + ": expected CHALLENGE, got " + challenge);
        }
        long streamId = 1 + Math.abs((long) deviceId.hashCode());
        byte[] proof = HelloProof.compute(secret.getBytes(StandardCharsets.UTF_8), c.nonce(), deviceId, streamId);
        out.write(new Message.Hello(Frames.VERSION, deviceId, System.currentTimeMillis(), streamId, proof, SENSORS));
        Message reply = in.read();
        if (!(reply instanceof Message.HelloOk)) {
            socket.close();
            throw new IOException(deviceId + ": expected HELLO_OK, got " + reply);
        }
        socket.setSoTimeout(0);
        this.reader = Thread.ofVirtual().name("load-" + deviceId).start(() -> readAcks(in));
    }

    private void readAcks(FrameReader in) {
        try {
            for (Message m; (m = in.read()) != null; ) {
                if (m instanceof Message.Ack a) {
                    long now = System.nanoTime();
                    for (Sent s = unacked.peek(); s != null && s.lastSeq() <= a.upToSeq(); s = unacked.peek()) {
                        unacked.poll();
                        synchronized (samples) {
                            frames.add(new Frame(deviceId, s.lastSeq(), s.count(), s.due(), s.sentAt(), now));
                        }
                        window.release();
                    }
                    acked = a.upToSeq();
                } else if (m instanceof Message.Ping p) {
                    synchronized (out) {
                        out.write(new Message.Pong(p.nonce()));
                    }
                } else if (m instanceof Message.Nack n) {
                    failure = "NACK " + n.code() + ": " + n.reason();
                    return;
                }
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                failure = e.toString();
            }
        }
    }

    /** Sends the next {@code count} readings as one frame now, waiting while the window is full. */
    void send(int count) throws IOException, InterruptedException {
        send(count, -1);
    }

    /**
     * Sends the next {@code count} readings as one frame that was due at {@code due} (nanoTime; -1: now),
     * waiting while the window is full; its latency counts from {@code due}.
     */
    void send(int count, long due) throws IOException, InterruptedException {
        if (!window.tryAcquire(60, TimeUnit.SECONDS)) {
            throw new IOException(deviceId + ": no ACK for 60 s; last ACK " + acked + (failure != null ? "; " + failure : ""));
        }
        List<Reading> readings = new ArrayList<>(count);
        long now = System.currentTimeMillis();
        for (int i = 0; i < count; i++, nextSeq++) {
            readings.add(new Reading(nextSeq, i % 2 == 0 ? "temperature" : "humidity", now, 20 + (nextSeq % 100) / 10.0));
        }
        long sentAt = System.nanoTime();
        unacked.add(new Sent(nextSeq - 1, due < 0 ? sentAt : due, sentAt, count));
        synchronized (out) {
            out.write(new Message.Readings(readings));
        }
        lastWrite = sentAt;
    }

    /** A PING, as an idle client sends one before the gateway's idle timeout. */
    void ping() throws IOException {
        synchronized (out) {
            out.write(new Message.Ping(System.nanoTime()));
        }
        lastWrite = System.nanoTime();
    }

    /**
     * A PING if nothing was written for {@code idle}, as a client does after its gateway.ping-interval
     * (30 s): a device waiting while the ceilings run must not reach the gateway's idle timeout.
     */
    void keepAlive(Duration idle) throws IOException {
        if (!socket.isClosed() && System.nanoTime() - lastWrite > idle.toNanos()) {
            ping();
        }
    }

    String failure() {
        return failure;
    }

    void awaitAcked(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acked < nextSeq - 1) {
            if (failure != null) {
                throw new IOException(deviceId + ": " + failure);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(deviceId + ": only seq " + acked + " of " + (nextSeq - 1) + " acknowledged after " + timeout);
            }
            Thread.sleep(1);
        }
    }

    /** The frames acknowledged since the last call; the next call sees only later ones (so a warm-up can be left out). */
    List<Frame> takeFrames() {
        synchronized (samples) {
            List<Frame> taken = frames;
            frames = new ArrayList<>();
            return taken;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        reader.interrupt();
    }
}
