package io.pigateway.gateway.ingest.sockets;

import io.pigateway.gateway.config.LineProtocolConfig;
import io.pigateway.gateway.config.LineSocketConfig;
import io.pigateway.gateway.ingest.Ingest;
import io.pigateway.gateway.ingest.lineprotocol.LineMapping;
import io.pigateway.gateway.ingest.lineprotocol.LineProtocolParser;
import io.pigateway.gateway.metrics.Metrics;
import io.pigateway.gateway.net.PeerAddress;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * Line protocol over UDP ({@code ingest.line-udp.*}), as Telegraf's {@code socket_writer} sends it
 * ({@code address = "udp://gateway:8094"}): each datagram one or more whole lines, newline-separated.
 * At most once, and less than TCP: a datagram is never answered nor resent, and UDP has no back-pressure.
 *
 * <p>The receiving thread only copies each datagram into a queue of {@code ingest.line-udp.queue-datagrams};
 * a worker stores what is queued, many datagrams per {@link Ingest#store} call. When the queue is full
 * (the store is slower than the senders) a datagram is dropped, and its lines counted as dropped, so
 * that the loss shows in {@code pigw_ingest_lines_total} instead of in the kernel's buffer. Datagrams
 * the kernel itself drops before the gateway reads them (its receive buffer full) are counted by the
 * kernel only: {@code netstat -su}, "receive buffer errors".
 */
public final class LineUdpInput implements AutoCloseable {
    public static final String INPUT = "line-udp";
    /** The largest UDP payload over IPv4 is 65,507 bytes; one more tells a datagram that was cut. */
    private static final int MAX_DATAGRAM = 65_536;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private record Datagram(byte[] bytes, String peer) {
    }

    private final LineSocketConfig.Endpoint endpoint;
    private final LineProtocolConfig lineProtocol;
    private final LineProtocolParser parser;
    private final LineMapping mapping;
    private final Ingest ingest;
    private final Metrics metrics;
    private final LineLog log = new LineLog(INPUT);
    private final BlockingQueue<Datagram> queue;
    private final DatagramSocket socket;
    private final Thread receiver;
    private final Thread worker;
    private volatile boolean closing;

    private LineUdpInput(LineSocketConfig config, LineProtocolConfig lineProtocol, Ingest ingest, Metrics metrics)
            throws IOException {
        this.endpoint = config.udp();
        this.lineProtocol = lineProtocol;
        this.parser = new LineProtocolParser(lineProtocol);
        this.mapping = new LineMapping(lineProtocol);
        this.ingest = ingest;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(config.udpQueueDatagrams());
        try {
            this.socket = new DatagramSocket(new InetSocketAddress(endpoint.address(), endpoint.port()));
        } catch (IOException e) {
            throw LineEndpoints.cannotListen(INPUT, "UDP", endpoint, e);
        }
        this.receiver = Thread.ofPlatform().name("line-udp-receive").unstarted(this::receive);
        this.worker = Thread.ofPlatform().name("line-udp-store").unstarted(this::work);
    }

    public static LineUdpInput start(LineSocketConfig config, LineProtocolConfig lineProtocol, Ingest ingest,
                                     Metrics metrics) throws IOException {
        LineUdpInput input = new LineUdpInput(config, lineProtocol, ingest, metrics);
        input.worker.start();
        input.receiver.start();
        LineEndpoints.logListening("UDP", input.address(), input.endpoint);
        return input;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void receive() {
        byte[] buf = new byte[MAX_DATAGRAM];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        while (!socket.isClosed()) {
            packet.setLength(buf.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    Logger.error("line-udp: receive failed on {}: {}", PeerAddress.of(address()), e.toString());
                    try {
                        Thread.sleep(100); // e.g. out of memory for buffers: do not spin
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
                continue;
            }
            String peer = PeerAddress.of(packet.getSocketAddress());
            int length = packet.getLength();
            if (!endpoint.trusts(packet.getAddress())) {
                count(buf, length, "refused");
                log.refused(peer, "a datagram: the source is not in ingest.line-udp.trusted-sources");
                continue;
            }
            if (length == MAX_DATAGRAM) {
                count(buf, length, "refused");
                log.refused(peer, "a datagram of more than 65,507 bytes, cut by the receive buffer");
                continue;
            }
            if (!queue.offer(new Datagram(Arrays.copyOf(buf, length), peer))) {
                count(buf, length, "dropped");
                log.dropped(peer, "a datagram: the queue of " + (queue.size() + queue.remainingCapacity())
                        + " datagrams waiting for the store is full (ingest.line-udp.queue-datagrams)");
            }
        }
    }

    /** Counts a datagram's lines (non-empty) as received and as {@code outcome}, without parsing them. */
    private void count(byte[] buf, int length, String outcome) {
        int lines = 0;
        boolean inLine = false;
        for (int i = 0; i < length; i++) {
            if (buf[i] == '\n') {
                inLine = false;
            } else if (!inLine && buf[i] != '\r') {
                inLine = true;
                lines++;
            }
        }
        metrics.ingestLines(INPUT, "received", lines);
        metrics.ingestLines(INPUT, outcome, lines);
    }

    private void work() {
        LineBatch batch = new LineBatch(INPUT, parser, mapping, endpoint.precision(), ingest, metrics, log);
        LineReader lines = new LineReader(lineProtocol.maxLineBytes());
        try {
            while (!closing || !queue.isEmpty()) {
                Datagram d = queue.poll(100, TimeUnit.MILLISECONDS);
                while (d != null) {
                    lines.feed(d.bytes(), 0, d.bytes().length, d.peer(), batch);
                    lines.finish(d.peer(), batch, true); // a datagram holds whole lines
                    d = batch.lines() < LineTcpInput.MAX_BATCH_LINES ? queue.poll() : null;
                }
                if (batch.lines() > 0) {
                    batch.flush();
                }
            }
        } catch (InterruptedException e) {
            batch.drop("the gateway is shutting down");
            for (Datagram left; (left = queue.poll()) != null; ) {
                count(left.bytes(), left.bytes().length, "dropped");
            }
        }
    }

    /** Stops receiving, stores what is queued for up to 5 s, then drops (and counts) the rest. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        socket.close();
        receiver.join(CLOSE_WAIT.toMillis());
        worker.join(CLOSE_WAIT.toMillis());
        if (worker.isAlive()) {
            worker.interrupt();
            worker.join(CLOSE_WAIT.toMillis());
        }
    }
}
