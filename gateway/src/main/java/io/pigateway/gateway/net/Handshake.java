package io.pigateway.gateway.net;

import io.pigateway.gateway.auth.Authenticator;
import io.pigateway.gateway.auth.FailurePenalty;
import io.pigateway.gateway.auth.SourcePrefix;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Identifiers;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.ProtocolException;
import io.pigateway.protocol.SensorInfo;

/**
 * The checks a HELLO must pass before the gateway gives the device a slot, in the order a client
 * meets them, none of which needs the socket: a well-formed HELLO ({@link #checkHello}), the proof of
 * the device's secret with the slow-down for ids that keep failing ({@link #authenticate}), and a
 * client certificate that names the device ({@link #checkCertificate}). Each throws what the client is
 * answered; {@link DeviceConnection} then claims the slot, records the session and sends HELLO_OK.
 */
final class Handshake {
    private final Authenticator authenticator;
    private final FailurePenalty penalty;

    Handshake(Authenticator authenticator, FailurePenalty penalty) {
        this.authenticator = authenticator;
        this.penalty = penalty;
    }

    /** Protocol version, device id, stream id and the announced sensors. */
    static void checkHello(Message.Hello hello) throws ProtocolException {
        if (hello.protocolVersion() != Frames.VERSION) {
            throw new ProtocolException(NackCode.UNSUPPORTED_VERSION, "client speaks protocol version "
                    + hello.protocolVersion() + "; this gateway speaks " + Frames.VERSION);
        }
        String problem = Identifiers.problem("device id", hello.deviceId());
        if (problem != null) {
            throw new ProtocolException(NackCode.HELLO_REFUSED, problem);
        }
        if (hello.streamId() == 0) {
            throw new ProtocolException(NackCode.HELLO_REFUSED, "stream id 0 is reserved; pick a random non-zero id");
        }
        for (SensorInfo sensor : hello.sensors()) {
            String sensorProblem = sensor.problem();
            if (sensorProblem != null) {
                throw new ProtocolException(NackCode.HELLO_REFUSED, sensorProblem);
            }
        }
    }

    /**
     * The proof of the device's secret over {@code nonce}. A device id that keeps failing from
     * {@code source} waits for its answer, whichever it is ({@link FailurePenalty}); the client is told
     * only "authentication failed", the operator's log line (the refusal's message) says why.
     */
    void authenticate(Message.Hello hello, byte[] nonce, SourcePrefix source) throws Refusal, InterruptedException {
        String refused = penalty.settle(source, hello.deviceId(), authenticator.problem(hello, nonce));
        if (refused != null) {
            throw new Refusal(NackCode.AUTHENTICATION_FAILED, "authentication failed", refused, 0);
        }
    }

    /** With mutual TLS, the client certificate must have been issued to the device the HELLO names. */
    static void checkCertificate(Message.Hello hello, PeerIdentity identity) throws ProtocolException {
        if (!identity.permits(hello.deviceId())) {
            throw new ProtocolException(NackCode.CERTIFICATE_MISMATCH, "HELLO names device '" + hello.deviceId()
                    + "' but the client certificate was issued to " + identity.describe());
        }
    }
}
