package io.pigateway.gateway.net;

import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection to the gateway driven by an {@link Opening}: sends its bytes (pausing for an answer
 * after the first frame if asked), half-closes, and reads every frame the gateway sends until it
 * closes, each read bounded by {@code answerTimeout}.
 *
 * <p>Steps are separate methods so that a handshake with more round trips (a challenge to answer)
 * becomes one more step between {@link #sendFirstPart} and {@link #sendRest}.
 */
final class RawConversation implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 2000;

    private final Socket socket;
    private final OutputStream out;
    private final FrameReader in;
    private final List<Message> replies = new ArrayList<>();

    private RawConversation(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new FrameReader(socket.getInputStream(), Frames.PROTOCOL_MAX_PAYLOAD);
    }

    /** Runs the whole conversation and returns what came back. */
    static Transcript run(InetSocketAddress gateway, Opening opening, Duration answerTimeout) throws IOException {
        try (RawConversation c = open(gateway, answerTimeout)) {
            c.sendFirstPart(opening);
            if (opening.pause()) {
                Transcript early = c.readReplies(2); // the gateway's CHALLENGE, then its answer to the first frame
                if (early != null) {
                    return early; // the gateway closed (or failed) after the first frame
                }
            }
            c.sendRest(opening);
            c.halfClose();
            return c.readReplies(Integer.MAX_VALUE);
        }
    }

    private static RawConversation open(InetSocketAddress gateway, Duration answerTimeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(gateway, CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout((int) answerTimeout.toMillis());
            socket.setTcpNoDelay(true);
            return new RawConversation(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    void sendFirstPart(Opening opening) {
        send(opening.firstPart());
    }

    void sendRest(Opening opening) {
        send(opening.rest());
    }

    /** The gateway may already have closed after refusing an earlier frame: a failed write is not an error. */
    private void send(byte[] bytes) {
        if (bytes.length == 0) {
            return;
        }
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            // what the gateway did instead shows in the replies and the ending
        }
    }

    /** Tells the gateway no more bytes are coming, so it never waits for its handshake timeout. */
    private void halfClose() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            // already closed by the gateway
        }
    }

    /**
     * Reads up to {@code count} frames. Returns null if that many arrived and the connection is still
     * open, else the transcript of everything read, ending as the connection did.
     */
    private Transcript readReplies(int count) {
        for (int i = 0; i < count; i++) {
            Message m;
            try {
                m = in.read();
            } catch (SocketTimeoutException e) {
                return end(Transcript.Ending.TIMEOUT, e);
            } catch (ProtocolException | EOFException e) {
                return end(Transcript.Ending.GARBLED, e);
            } catch (SocketException e) {
                return end(Transcript.Ending.RESET, e);
            } catch (IOException e) {
                return end(Transcript.Ending.GARBLED, e);
            }
            if (m == null) {
                return end(Transcript.Ending.CLOSED, null);
            }
            replies.add(m);
        }
        return null;
    }

    private Transcript end(Transcript.Ending ending, Exception cause) {
        return new Transcript(replies, ending, cause == null ? null : cause.toString());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
