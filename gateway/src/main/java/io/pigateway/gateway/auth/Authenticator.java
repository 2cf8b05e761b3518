package io.pigateway.gateway.auth;

import io.pigateway.gateway.config.AuthConfig;
import io.pigateway.protocol.HelloProof;
import io.pigateway.protocol.Message;

/**
 * Checks a HELLO's proof of its device secret against the CHALLENGE nonce sent on that connection.
 * The answer to the client never says which check failed (unknown device or wrong secret), so the
 * gateway cannot be used to find out which device ids exist; the operator's log line does.
 */
public final class Authenticator {
    private final AuthConfig config;

    public Authenticator(AuthConfig config) {
        this.config = config;
    }

    /** {@code null} if the HELLO may proceed, else why not, for the operator's log. */
    public String problem(Message.Hello hello, byte[] nonce) {
        if (config.mode() == AuthConfig.Mode.OPEN) {
            return null;
        }
        byte[] secret = config.devices().secretOf(hello.deviceId());
        if (secret == null) {
            return "device " + hello.deviceId() + " is not in " + config.devicesFile();
        }
        byte[] proof = hello.credentials();
        if (proof.length == 0) {
            return "device " + hello.deviceId() + " sent no proof of its secret (is device.secret-file set on the client?)";
        }
        if (!HelloProof.verify(secret, nonce, hello.deviceId(), hello.streamId(), proof)) {
            return "device " + hello.deviceId() + " sent a wrong proof of its secret (" + proof.length
                    + " bytes; the secrets in the client's device.secret-file and " + config.devicesFile() + " differ)";
        }
        return null;
    }
}
