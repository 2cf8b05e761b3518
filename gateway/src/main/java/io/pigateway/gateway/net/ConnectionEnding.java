package io.pigateway.gateway.net;

import io.pigateway.gateway.store.DuplicateMismatchException;
import io.pigateway.gateway.store.ReadingBatch;
import io.pigateway.gateway.store.StoreException;
import io.pigateway.gateway.store.StoreRefusedException;
import io.pigateway.protocol.FrameWriter;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.tinylog.Logger;

/**
 * How a {@link DeviceConnection} ends, whichever way it does: the client left, the gateway refused
 * what it sent, the store could not commit one of its frames, or the gateway asked it to end (a
 * newer connection of the device, a reload of the devices file, shutdown). Every way out takes the
 * same steps, in this order:
 *
 * <ol>
 *   <li>What was already queued gets up to {@link #ACK_DRAIN} to be committed and acknowledged. The
 *       ACKs for committed frames go out before the NACK, so the client forgets exactly what was
 *       stored, and a NACK about a frame refers to the first one not acknowledged.
 *   <li>One log line naming the device and the cause (repeats from one address within a minute are
 *       counted, see {@link RefusalLog}).
 *   <li>The NACK with its reason and retry advice, unless the client simply left.
 *   <li>The close: half-close, then read and discard what still arrives for at most {@link #LINGER},
 *       so that the client reads the NACK before its kernel sees a reset.
 * </ol>
 *
 * <p>The client then reconnects (no sooner than the NACK's retry advice) and resends everything not
 * acknowledged; a frame refused for its data ({@code DUPLICATE_MISMATCH}, {@code STORE_REFUSED}) it
 * drops instead, counted as lost. Readings acknowledged before are never touched.
 *
 * <p>The {@link AckSender}'s events come here too: a frame the store could not commit ends the
 * connection from the ACK thread.
 */
final class ConnectionEnding implements AckSender.Events {
    /** Time to let queued frames be acknowledged before a connection is closed. */
    static final Duration ACK_DRAIN = Duration.ofSeconds(5);
    static final int RETRY_AFTER_MILLIS = 1000;
    /** Advice to clients while the database is down: enough to keep reconnects from becoming a storm. */
    private static final int OUTAGE_RETRY_AFTER_MILLIS = 5000;
    /** How long a refused connection is read (and ignored) after its NACK, so the client can read the NACK. */
    private static final Duration LINGER = Duration.ofSeconds(1);

    /** What the ending reads of the connection it ends, at the moment it ends: who it is, for the log and metrics. */
    interface Subject {
        /** For log lines: the device once known, and always the address. */
        String who();

        /** The proven device id; {@code null} before the handshake has proven it. */
        String deviceId();

        /** The device id of a well-formed HELLO, proven or not; {@code null} before one. */
        String claimedId();

        /** Whether HELLO_OK was sent: a NACK before that is a refused handshake. */
        boolean handshaken();
    }

    private final Subject connection;
    private final ConnectionContext context;
    /** The TCP socket: closed, and its input shut down, directly, since TLS cannot do either from another thread. */
    private final Socket plain;
    private final String peer;
    private final InetAddress address;
    /** What frames travel over: {@link #plain}, or TLS layered on it. */
    private Socket socket;
    /** {@code null} until the handshake has a writer: a refusal before that closes without a NACK. */
    private FrameWriter out;
    /** {@code null} until the first READINGS frame: nothing to drain before. */
    private AckSender acks;

    private volatile NackCode endedBy;
    /** Set by the {@link AckSender} when a frame is refused after its transaction; the reading thread sends it. */
    private volatile Refusal refusedFrame;
    private volatile boolean closing;

    ConnectionEnding(Subject connection, Socket plain, String peer, InetAddress address, ConnectionContext context) {
        this.connection = connection;
        this.context = context;
        this.plain = plain;
        this.socket = plain;
        this.peer = peer;
        this.address = address;
    }

    /** The connection speaks TLS over {@link #plain} from now on. */
    void secured(Socket tlsSocket) {
        this.socket = tlsSocket;
    }

    /** Where NACKs are written, once the handshake has a writer. */
    void writesTo(FrameWriter out) {
        this.out = out;
    }

    /** What is drained before the NACK, once the first READINGS frame has started it. */
    void drains(AckSender acks) {
        this.acks = acks;
    }

    /** Whether the connection was asked to end or its socket is closed: a failing read is then expected. */
    boolean closing() {
        return closing;
    }

    /** Turns each way a connection fails into a NACK, or a quiet end when the client left. */
    void failed(Exception failure) {
        switch (failure) {
            case Refusal r -> refuse(r.code(), r.reason(), r.getMessage(), r.retryAfterMillis());
            case ProtocolException e -> refuse(e.nackCode(), e.getMessage(), e.retryAfterMillis());
            case StoreException e -> refuse(NackCode.STORE_UNAVAILABLE, e.getMessage(), storeRetryAfter());
            case SocketTimeoutException e -> {
                if (connection.deviceId() == null) {
                    refuse(NackCode.TIMEOUT, "no complete frame within the handshake timeout of "
                            + context.guards().limits().handshakeTimeout().toMillis() + " ms", 0);
                } else {
                    refuse(NackCode.IDLE_TIMEOUT, "no complete frame within the idle timeout of "
                            + context.guards().limits().idleTimeout().toMillis() + " ms", 0);
                }
            }
            case EOFException e -> ended(e.getMessage());
            case IOException e when closing -> Logger.debug("{}: closed ({})", connection.who(), e.getMessage());
            case IOException e -> ended(e.toString());
            case InterruptedException e -> Thread.currentThread().interrupt();
            default -> throw new IllegalStateException("unexpected " + failure, failure);
        }
    }

    /**
     * Asks the connection to stop reading and close once what it already received is acknowledged,
     * telling the client {@code reason}. Safe from any thread.
     */
    void end(NackCode reason) {
        endedBy = reason;
        closing = true;
        try {
            // On the TCP socket even under TLS: the reading thread sees the end of the stream, and with
            // TLS 1.3 can still send its NACK (TLS 1.2 closes both directions; the client then just resends).
            plain.shutdownInput();
        } catch (IOException e) {
            close();
        }
    }

    /** The client left, or the gateway asked this connection to end. */
    void ended(String how) {
        Refusal refused = refusedFrame;
        if (refused != null) {
            refuse(refused.code(), refused.reason(), refused.getMessage(), refused.retryAfterMillis());
            return;
        }
        NackCode reason = endedBy;
        if (reason != null) {
            String text = switch (reason) {
                case REPLACED -> "a newer connection for this device took over";
                case TOO_MANY_HANDSHAKES -> crowdedOutReason();
                case AUTHENTICATION_FAILED -> "the device's secret was removed or changed in the devices file (reload)";
                default -> "the gateway is shutting down";
            };
            refuse(reason, text, RETRY_AFTER_MILLIS);
        } else {
            drainAcks();
            Logger.debug("{}: disconnected: {}", connection.who(), how);
        }
    }

    String crowdedOutReason() {
        return "the gateway holds its maximum of " + context.guards().slots().maxHandshakes() + " connections in their handshake"
                + " (limits.max-unauthenticated-connections); this one, the oldest of the source holding the most,"
                + " made room for a newer one";
    }

    private void refuse(NackCode code, String reason, int retryAfterMillis) {
        refuse(code, reason, reason, retryAfterMillis);
    }

    /**
     * Lets queued frames be acknowledged, sends a NACK with {@code reason}, closes. One log line with
     * {@code detail} (repeats from one address within a minute are counted, see {@link RefusalLog}).
     */
    private void refuse(NackCode code, String reason, String detail, int retryAfterMillis) {
        drainAcks();
        String line = connection.who() + ": " + detail + "; sent NACK " + code + " and closed";
        if (code == NackCode.STORE_UNAVAILABLE && !context.store().healthy()) {
            Logger.debug(line); // the outage was logged once
        } else {
            context.guards().refusals().log(address, code, !code.retryable(), line);
        }
        context.metrics().nackSent(code, !connection.handshaken());
        String deviceId = connection.deviceId();
        context.metrics().deviceRefused(deviceId != null ? deviceId : connection.claimedId(), peer, code);
        sendQuietly(new Message.Nack(code, retryAfterMillis, reason));
        closeAfterNack();
    }

    /**
     * Closes so that the client gets to read the NACK: closing a socket with unread input makes the
     * kernel answer with a TCP reset, which can destroy the NACK in the client's receive buffer before
     * the client reads it (a client still sending frames is the usual case). So: half-close, discard
     * what still arrives for at most {@link #LINGER}, then close.
     */
    private void closeAfterNack() {
        try {
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            byte[] discard = new byte[8192];
            long deadline = System.nanoTime() + LINGER.toNanos();
            for (long left = LINGER.toMillis(); left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
                socket.setSoTimeout((int) left);
                if (in.read(discard) < 0) {
                    break;
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // timed out, reset, or a TLS socket (no half-close): close now
        } finally {
            close();
        }
    }

    /** Called by the {@link AckSender} when a batch of this connection could not be committed. */
    @Override
    public void storeFailed(ReadingBatch batch, Throwable cause) {
        if (cause instanceof DuplicateMismatchException e) {
            // Loud: a client reusing seqs for other readings would lose them silently if this were ACKed.
            // The reading thread sends the NACK and closes as every refusal does, so that the client gets
            // to read it (closeAfterNack) and drops the frame instead of resending it for ever.
            refusedFrame = new Refusal(NackCode.DUPLICATE_MISMATCH, e.getMessage(), "refused a frame: " + e.getMessage()
                    + "; is this a restored or cloned client?", 0);
            try {
                plain.shutdownInput();
            } catch (IOException io) {
                close();
            }
            return;
        }
        String reason = "could not commit seq " + batch.readings().getFirst().seq() + ".." + batch.readings().getLast().seq()
                + ": " + cause.getMessage();
        if (cause instanceof StoreRefusedException) {
            // The frames before it were acknowledged; the client drops this one (counted as lost).
            Logger.warn("{}: {}; sent NACK {} and closed", connection.who(), reason, NackCode.STORE_REFUSED);
            context.metrics().nackSent(NackCode.STORE_REFUSED, false);
            sendQuietly(new Message.Nack(NackCode.STORE_REFUSED, reason));
            close();
            return;
        }
        if (context.store().healthy()) {
            Logger.info("{}: {}; sent NACK {} and closed", connection.who(), reason, NackCode.STORE_UNAVAILABLE);
        } else {
            Logger.debug("{}: {}; sent NACK {} and closed", connection.who(), reason, NackCode.STORE_UNAVAILABLE);
        }
        context.metrics().nackSent(NackCode.STORE_UNAVAILABLE, false);
        sendQuietly(new Message.Nack(NackCode.STORE_UNAVAILABLE, storeRetryAfter(), reason));
        close();
    }

    /** Called by the {@link AckSender} when the socket broke under it. */
    @Override
    public void lost(String what, IOException e) {
        if (!closing) {
            Logger.debug("{}: {}: {}", connection.who(), what, e.toString());
        }
        close();
    }

    private int storeRetryAfter() {
        return context.store().healthy() ? RETRY_AFTER_MILLIS : OUTAGE_RETRY_AFTER_MILLIS;
    }

    private void drainAcks() {
        if (acks == null) {
            return;
        }
        try {
            if (!acks.finish(ACK_DRAIN)) {
                Logger.info("{}: queued readings not committed within {} ms; the client will resend them",
                        connection.who(), ACK_DRAIN.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendQuietly(Message m) {
        if (out == null || plain.isClosed()) {
            return;
        }
        try {
            out.write(m);
        } catch (IOException e) {
            Logger.debug("{}: could not send {}: {}", connection.who(), m.type(), e.toString());
        }
    }

    /**
     * Closes the TCP socket now, without waiting for anything. Under TLS no close_notify is sent:
     * sending it could block behind a writer stuck on a client that stopped reading, and our frames
     * carry their own ends and checksums.
     */
    void close() {
        closing = true;
        try {
            plain.close();
        } catch (IOException e) {
            Logger.debug("{}: close failed: {}", connection.who(), e.toString());
        }
    }
}
