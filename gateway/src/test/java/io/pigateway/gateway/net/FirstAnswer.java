package io.pigateway.gateway.net;

import io.pigateway.protocol.FrameReader;
import io.pigateway.protocol.Frames;
import io.pigateway.protocol.Identifiers;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import io.pigateway.protocol.ProtocolException;
import io.pigateway.protocol.SensorInfo;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * What the gateway must answer first to a connection that starts with given bytes, worked out from
 * the handshake rules of docs/PROTOCOL.md independently of {@code DeviceConnection}: HELLO_OK for a valid
 * HELLO, a NACK with the code for what is wrong with the first frame, or nothing at all when the
 * bytes end before a first frame is complete (the client simply left).
 *
 * @param helloOk whether the answer is HELLO_OK
 * @param nack    the NACK code when the answer is a refusal, else null
 */
record FirstAnswer(boolean helloOk, NackCode nack) {
    static final FirstAnswer NONE = new FirstAnswer(false, null);
    static final FirstAnswer HELLO_OK = new FirstAnswer(true, null);

    static FirstAnswer refusal(NackCode code) {
        return new FirstAnswer(false, code);
    }

    /**
     * The answer owed to {@code sent}, for a gateway that accepts payloads up to {@code maxHelloBytes}
     * before the handshake and HELLOs of up to {@code maxSensors} sensors.
     */
    static FirstAnswer to(byte[] sent, int maxHelloBytes, int maxSensors) {
        Message first;
        try {
            first = new FrameReader(new ByteArrayInputStream(sent), maxHelloBytes, maxSensors, FrameReader.Budget.UNLIMITED)
                    .read();
        } catch (EOFException e) {
            return NONE;
        } catch (ProtocolException e) {
            return refusal(e.nackCode());
        } catch (IOException e) {
            throw new AssertionError("reading from memory cannot fail", e);
        }
        if (first == null) {
            return NONE;
        }
        if (!(first instanceof Message.Hello hello)) {
            return refusal(NackCode.HANDSHAKE_REQUIRED);
        }
        if (hello.protocolVersion() != Frames.VERSION) {
            return refusal(NackCode.UNSUPPORTED_VERSION);
        }
        boolean valid = Identifiers.problem("device id", hello.deviceId()) == null && hello.streamId() != 0
                && hello.sensors().stream().map(SensorInfo::problem).allMatch(p -> p == null);
        return valid ? HELLO_OK : refusal(NackCode.HELLO_REFUSED);
    }

    @Override
    public String toString() {
        return helloOk ? "HELLO_OK" : nack == null ? "nothing (close)" : "NACK " + nack;
    }
}
