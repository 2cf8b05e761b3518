package io.pigateway.bench;

import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One simulated device speaking protocol v1 over a real socket: frames of readings with at most
 * {@code window} frames unacknowledged, and the time from handing each frame to the socket to the
 * ACK that covers it.
 */
final class LoadDevice implements AutoCloseable {
    private record Sent(long lastSeq, long nanos, int count) {
    }

    /** One acknowledged frame: when it was handed to the socket and when the ACK covering it was read (nanoTime). */
    record Frame(String device, long lastSeq, int count, long sentAt, long ackReadAt) {
    }

    private final Socket socket;
    private final FrameWriter out;
    private final Semaphore window;
    private final ConcurrentLinkedQueue<Sent> unacked = new ConcurrentLinkedQueue<>();
    /** Guards {@link #latencies} and {@link #frames}. */
    private final Object samples = new Object();
    private Percentiles latencies = new Percentiles();
    private List<Frame> frames = new ArrayList<>();
    private final String deviceId;
    private final Thread reader;
    private volatile long acked;
    private volatile String failure;
    private long nextSeq = 1;

    LoadDevice(InetSocketAddress gateway, String deviceId, int window) throws IOException {
        this.deviceId = deviceId;
        this.socket = new Socket();
        socket.connect(gateway, 10_000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(60_000);
        this.out = new FrameWriter(socket.getOutputStream());
        this.window = new Semaphore(window);
        FrameReader in = new FrameReader(socket.getInputStream(), Frames.PROTOCOL_MAX_PAYLOAD);
        Message challenge = in.read();
        if (!(challenge instanceof Message.Challenge)) {
            socket.close();
            throw new IOException(deviceId + ": expected CHALLENGE, got " + challenge);
        }
        // The gateway stores readings only of sensors announced here.
        out.write(new Message.Hello(deviceId, System.currentTimeMillis(), 1 + Math.abs((long) deviceId.hashCode()),
                List.of(new SensorInfo("temperature", "°C", "simulated.temperature", true),
                        new SensorInfo("humidity", "%RH", "simulated.humidity", true))));
        Message reply = in.read();
        if (!(reply instanceof Message.HelloOk)) {
            socket.close();
            throw new IOException(deviceId + ": expected HELLO_OK, got " + reply);
        }
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
                            latencies.add(now - s.nanos(), s.count());
                            frames.add(new Frame(deviceId, s.lastSeq(), s.count(), s.nanos(), now));
                        }
                        window.release();
                    }
                    acked = a.upToSeq();
                } else if (m instanceof Message.Nack n) {
                    failure = "NACK " + n.nackCode() + ": " + n.reason();
                    return;
                }
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                failure = e.toString();
            }
        }
    }

    /** Sends the next {@code count} readings as one frame, waiting while the window is full. */
    void send(int count) throws IOException, InterruptedException {
        if (!window.tryAcquire(60, TimeUnit.SECONDS)) {
            throw new IOException("no ACK for 60 s; last ACK " + acked + (failure != null ? "; " + failure : ""));
        }
        List<Reading> readings = new ArrayList<>(count);
        long now = System.currentTimeMillis();
        for (int i = 0; i < count; i++, nextSeq++) {
            readings.add(new Reading(nextSeq, i % 2 == 0 ? "temperature" : "humidity", now, 20 + (nextSeq % 100) / 10.0));
        }
        unacked.add(new Sent(nextSeq - 1, System.nanoTime(), count));
        out.write(new Message.Readings(readings));
    }

    void awaitAcked(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acked < nextSeq - 1) {
            if (failure != null) {
                throw new IOException(failure);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("only seq " + acked + " of " + (nextSeq - 1) + " acknowledged after " + timeout);
            }
            Thread.sleep(1);
        }
    }

    /** What was measured since the last call: each reading's latency, and each frame's times. */
    record Samples(Percentiles latencies, List<Frame> frames) {
    }

    /** The samples so far; the next call sees only later ones (so a warm-up can be left out). */
    Samples takeSamples() {
        synchronized (samples) {
            Samples taken = new Samples(latencies, frames);
            latencies = new Percentiles();
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
