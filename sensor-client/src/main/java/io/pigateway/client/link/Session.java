package io.pigateway.client.link;

import io.pigateway.common.ErrorText;
import io.pigateway.client.clock.DeviceClock;
import io.pigateway.client.spool.ReadingSpool;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.ProtocolException;
import io.pigateway.protocol.Reading;
import io.pigateway.protocol.SensorInfo;
import io.pigateway.protocol.UnknownFrameTypeException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.tinylog.Logger;

/**
 * The streaming phase of one connection, after HELLO_OK. The calling thread sends READINGS frames
 * (and PINGs when idle); a virtual thread receives ACK, NACK, PING, PONG and BYE. Sequence numbers
 * start again from the oldest unacknowledged reading on every connection, so nothing that the
 * gateway did not acknowledge is ever skipped; the gateway deduplicates what it already has.
 */
final class Session {
    /** Frames sent but not yet acknowledged; more would only pile up in a slow gateway's queue. */
    static final int MAX_FRAMES_IN_FLIGHT = 4;
    /** How long to wait for the gateway's BYE after ours before closing anyway. */
    static final Duration BYE_REPLY_WAIT = Duration.ofSeconds(1);
    /** The sender re-checks its deadlines at least this often. */
    private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final GatewayConnection connection;
    private final ReadingSpool spool;
    private final DeviceClock clock;
    private final LinkCounters counters;
    private final Wakeup wakeup;
    private final Drain drain;
    private final int frameLimit;
    private final int maxPayloadBytes;
    private final long frameWaitNanos;
    private final long pingIntervalNanos;
    private final long silenceLimitNanos;

    private final Set<String> announced;
    private final Announcements announcements;

    private final InFlight inFlight = new InFlight();
    private static final Duration NACK_GRACE = Duration.ofMillis(500);
    private final AtomicReference<SessionEnd> end = new AtomicReference<>();
    private volatile long lastReceivedNanos;
    private volatile boolean pingOutstanding;
    private long answerDueSinceNanos;     // when the oldest frame still waiting for an answer went out
    private volatile boolean ackBeyondSentWarned;
    private long lastSentNanos;
    private long pingNonce;

    /**
     * @param announced     the sensors this connection's HELLO announced: the gateway refuses readings of any other
     * @param announcements where a sensor met in the spool but not announced is added for the next HELLO
     */
    Session(GatewayConnection connection, Message.HelloOk limits, int frameMaxReadings, Duration frameMaxWait,
            Duration pingInterval, ReadingSpool spool, LinkCounters counters, Wakeup wakeup, Drain drain,
            List<SensorInfo> announced, Announcements announcements, DeviceClock clock) {
        this.clock = clock;
        this.connection = connection;
        this.announced = announced.stream().map(SensorInfo::name).collect(Collectors.toUnmodifiableSet());
        this.announcements = announcements;
        this.spool = spool;
        this.counters = counters;
        this.wakeup = wakeup;
        this.drain = drain;
        this.frameLimit = Math.min(frameMaxReadings, limits.maxReadingsPerFrame());
        this.maxPayloadBytes = limits.maxPayloadBytes();
        this.frameWaitNanos = frameMaxWait.toNanos();
        this.pingIntervalNanos = pingInterval.toNanos();
        // Twice the ping interval: one PING unanswered for a whole interval is a dead or stuck gateway.
        this.silenceLimitNanos = 2 * pingIntervalNanos;
    }

    /** Streams until the connection ends; closes it before returning. */
    SessionEnd run() throws InterruptedException {
        long now = System.nanoTime();
        lastReceivedNanos = now;
        lastSentNanos = now;
        answerDueSinceNanos = now;
        Thread receiver = Thread.ofVirtual().name("gateway-rx-" + connection.address()).start(this::receive);
        try {
            send();
        } catch (IOException e) {
            // A gateway that refuses sends a NACK and closes, so a send can fail while the NACK that
            // explains it waits to be read: give the receiver a moment to read it first.
            receiver.join(NACK_GRACE);
            end(SessionEnd.lost("sending failed: " + ErrorText.of(e)));
        } finally {
            connection.close();
            receiver.join(Duration.ofSeconds(5));
        }
        return end.get();
    }

    private void send() throws IOException, InterruptedException {
        boolean filling = false; // unsent readings seen, a partly filled frame is waiting for more
        long fillStart = 0;
        while (end.get() == null) {
            counters.progressed();
            long seen = wakeup.generation();
            long now = System.nanoTime();
            if (drain.requested() && (spool.size() == 0 || drain.expired(now))) {
                sayBye(spool.size() == 0 ? "everything acknowledged" : "shutdown.ack-wait is over");
                return;
            }
            boolean answerDue = answerDue();
            long silentSince = later(lastReceivedNanos, answerDueSinceNanos);
            if (answerDue && now - silentSince > silenceLimitNanos) {
                end(SessionEnd.lost("no answer from the gateway for " + Texts.seconds(now - silentSince)
                        + " while " + (inFlight.frames() > 0 ? "waiting for an ACK" : "waiting for a PONG")));
                return;
            }
            if (now - lastSentNanos >= pingIntervalNanos) {
                ping(now);
            }
            long wakeAt = now + MAX_SLEEP_NANOS;
            wakeAt = earlier(wakeAt, lastSentNanos + pingIntervalNanos);
            if (answerDue) {
                wakeAt = earlier(wakeAt, silentSince + silenceLimitNanos + 1);
            }
            if (drain.requested()) {
                wakeAt = earlier(wakeAt, drain.deadlineNanos());
            }
            if (inFlight.frames() < MAX_FRAMES_IN_FLIGHT) {
                List<Reading> unsent = spool.peekUnsent(inFlight.lastSent(), frameLimit);
                if (unsent.isEmpty()) {
                    filling = false;
                } else {
                    if (!filling) {
                        filling = true;
                        fillStart = now;
                    }
                    List<Reading> frame = FramePacker.fit(unsent, maxPayloadBytes);
                    if (frame.isEmpty()) {
                        end(SessionEnd.unmeetable("one reading does not fit the gateway's maximum payload of "
                                + maxPayloadBytes + " bytes"));
                        return;
                    }
                    int known = announcedPrefix(frame);
                    if (known == 0) {
                        endToAnnounce(frame.getFirst());
                        return;
                    }
                    frame = frame.subList(0, known); // the rest waits for a connection that announces it
                    boolean full = unsent.size() >= frameLimit || frame.size() < unsent.size();
                    if (full || drain.requested() || now - fillStart >= frameWaitNanos) {
                        sendReadings(frame, now);
                        filling = false;
                        continue;
                    }
                    wakeAt = earlier(wakeAt, fillStart + frameWaitNanos);
                }
            }
            wakeup.await(seen, wakeAt - now);
        }
    }

    /** How many readings at the start of {@code frame} are of sensors this connection announced. */
    private int announcedPrefix(List<Reading> frame) {
        int n = 0;
        while (n < frame.size() && announced.contains(frame.get(n).sensor())) {
            n++;
        }
        return n;
    }

    /**
     * The next reading is of a sensor this HELLO did not announce (the configuration dropped it while
     * its readings were in the spool): ends the connection so that the next HELLO announces it too.
     */
    private void endToAnnounce(Reading r) {
        String problem = announcements.addUnconfigured(r.sensor());
        if (problem != null) {
            end(SessionEnd.unmeetable("reading seq " + r.seq() + " in the spool cannot be sent: " + problem));
            return;
        }
        Logger.warn("reading seq {} is of sensor {}, which is not configured (any more); reconnecting to announce it"
                + " with kind {} and no unit", r.seq(), r.sensor(), Announcements.UNCONFIGURED_KIND);
        end(SessionEnd.lost("sensor " + r.sensor() + " of reading seq " + r.seq() + " was not announced in HELLO"));
    }

    private void sendReadings(List<Reading> frame, long now) throws IOException {
        if (!answerDue()) {
            answerDueSinceNanos = now;
        }
        // Recorded before writing: the ACK may arrive before write() returns.
        inFlight.sent(frame.getLast().seq());
        connection.write(new Message.Readings(timed(frame)));
        counters.sent.addAndGet(frame.size());
        lastSentNanos = now;
        Logger.trace("sent seq {}..{} ({} readings)", frame.getFirst().seq(), frame.getLast().seq(), frame.size());
    }

    /** The frame with the times of readings stamped before the clock was set converted, where they can be. */
    private List<Reading> timed(List<Reading> frame) {
        List<Reading> out = null;
        for (int i = 0; i < frame.size(); i++) {
            Reading r = frame.get(i);
            long time = clock.correct(r.seq(), r.timestampMillis());
            if (time != r.timestampMillis()) {
                if (out == null) {
                    out = new java.util.ArrayList<>(frame);
                }
                out.set(i, new Reading(r.seq(), r.sensor(), time, r.value()));
            }
        }
        return out == null ? frame : out;
    }

    private void ping(long now) throws IOException {
        if (!answerDue()) {
            answerDueSinceNanos = now;
        }
        pingOutstanding = true;
        connection.write(new Message.Ping(++pingNonce));
        lastSentNanos = now;
    }

    /** BYE, then a short wait for the gateway's BYE (it sends its last ACKs first), then close. */
    private void sayBye(String why) throws IOException, InterruptedException {
        connection.write(new Message.Bye());
        counters.byeSent = true;
        long until = System.nanoTime() + BYE_REPLY_WAIT.toNanos();
        while (end.get() == null) {
            long seen = wakeup.generation();
            long left = until - System.nanoTime();
            if (left <= 0 || end.get() != null) {
                break;
            }
            wakeup.await(seen, left);
        }
        // Whatever else happened after our BYE (the gateway's BYE, its close), this was the orderly end.
        SessionEnd after = end.getAndSet(SessionEnd.drained("sent BYE (" + why + ")"));
        Logger.debug("sent BYE to gateway {} ({}); then: {}", connection.address(), why,
                after == null ? "no answer within " + Texts.seconds(BYE_REPLY_WAIT) : after.reason());
    }

    private boolean answerDue() {
        return inFlight.frames() > 0 || pingOutstanding;
    }

    private void receive() {
        try {
            while (end.get() == null) {
                Message m;
                try {
                    m = connection.read();
                } catch (UnknownFrameTypeException e) {
                    // A newer gateway's frame, well formed; the stream is still in step.
                    Logger.debug("ignored a frame from gateway {}: {}", connection.address(), e.getMessage());
                    continue;
                }
                lastReceivedNanos = System.nanoTime();
                if (m == null) {
                    end(SessionEnd.lost("the gateway closed the connection"));
                    return;
                }
                if (!handle(m)) {
                    return;
                }
            }
        } catch (ProtocolException e) {
            end(SessionEnd.lost("the gateway sent an invalid frame: " + ErrorText.of(e)));
        } catch (IOException e) {
            end(SessionEnd.lost("receiving failed: " + ErrorText.of(e)));
        } finally {
            connection.close(); // unblocks a sender stuck in write()
            wakeup.signal();
        }
    }

    /** Returns false when the frame ends the session. */
    private boolean handle(Message m) throws IOException {
        switch (m) {
            case Message.Ack a -> {
                long lastSent = inFlight.lastSent();
                long upTo = a.upToSeq();
                if (upTo > lastSent) {
                    // Never let an ACK forget a reading this connection has not even sent.
                    if (!ackBeyondSentWarned) {
                        ackBeyondSentWarned = true;
                        Logger.warn("gateway {} acknowledged up to seq {} but only {} was sent on this connection;"
                                + " counting up to {}", connection.address(), upTo, lastSent, lastSent);
                    }
                    upTo = lastSent;
                }
                spool.ack(upTo);
                inFlight.acked(upTo);
                wakeup.signal();
                return true;
            }
            case Message.Ping p -> {
                connection.write(new Message.Pong(p.nonce()));
                return true;
            }
            case Message.Pong p -> {
                pingOutstanding = false;
                return true;
            }
            case Message.Nack n -> {
                if (n.nackCode() == NackCode.STORE_REFUSED || n.nackCode() == NackCode.DUPLICATE_MISMATCH) {
                    end(dropRefused(n));
                } else {
                    end(SessionEnd.nacked(n));
                }
                return false;
            }
            case Message.Bye b -> {
                end(SessionEnd.lost("the gateway said BYE"));
                return false;
            }
            default -> {
                end(SessionEnd.lost("the gateway sent an unexpected " + m.type() + " frame"));
                return false;
            }
        }
    }

    /**
     * The gateway refused the oldest frame not acknowledged for good; the frames before it were
     * acknowledged (ACKs come in frame order). Its database refused the data ({@code STORE_REFUSED}), or
     * it already holds different readings under those seqs ({@code DUPLICATE_MISMATCH}: this spool was
     * restored or cloned). Sending it again would be refused again, forever: its readings are dropped,
     * counted as lost (client.readings-dropped) and logged, and the rest is sent on the next connection.
     */
    private SessionEnd dropRefused(Message.Nack n) {
        long upTo = inFlight.oldestLastSeq();
        List<Reading> first = spool.peekUnsent(0, 1);
        int dropped = upTo == 0 ? 0 : spool.discard(upTo);
        if (dropped > 0) {
            inFlight.acked(upTo);
            String why = n.nackCode() == NackCode.DUPLICATE_MISMATCH
                    ? "because it already holds different readings under those seqs (was this spool restored from an"
                            + " old copy, or is another Pi a clone of this one?)"
                    : "as data its database cannot store";
            Logger.error("gateway {} refused seq {}..{} of stream {} ({} readings) {}: {}; dropped them (counted in"
                            + " client.readings-dropped) and sending the rest",
                    connection.address(), first.isEmpty() ? upTo : first.getFirst().seq(), upTo,
                    spool.streamId(), dropped, why, n.reason());
        }
        return SessionEnd.refusedData("sent NACK " + Texts.nack(n) + "; " + dropped + " refused readings dropped");
    }

    private void end(SessionEnd e) {
        if (end.compareAndSet(null, e)) {
            wakeup.signal();
        }
    }

    // nanoTime values are compared by difference: their origin is arbitrary and may be negative.
    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    private static long later(long a, long b) {
        return a - b >= 0 ? a : b;
    }
}
