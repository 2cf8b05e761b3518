package io.pigateway.gateway.auth;

import io.pigateway.gateway.auth.AuthConfig;
import io.pigateway.protocol.HelloProof;
import io.pigateway.protocol.Message;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Checks a HELLO's proof of its device secret against the CHALLENGE nonce sent on that connection.
 * The answer to the client never says which check failed (unknown device or wrong secret), so the
 * gateway cannot be used to find out which device ids exist; the operator's log line does. Nor does
 * the time to answer: every HELLO costs one HMAC, an unknown device's against a random dummy secret.
 */
public final class Authenticator {
    /** Computes a proof as {@link HelloProof#compute} does: a seam for tests that count the HMACs. */
    @FunctionalInterface
    interface Prover {
        byte[] compute(byte[] secret, byte[] nonce, String deviceId, long streamId);
    }

    /** Replaced as a whole when the devices file is read again ({@link #replace}). */
    private volatile AuthConfig config;
    private final Prover prover;
    /** What an unknown device's proof is checked against: random, so that no proof matches it. */
    private final byte[] dummySecret = new byte[32];

    public Authenticator(AuthConfig config) {
        this(config, HelloProof::compute);
    }

    Authenticator(AuthConfig config, Prover prover) {
        this.config = config;
        this.prover = prover;
        new SecureRandom().nextBytes(dummySecret);
    }

    public AuthConfig config() {
        return config;
    }

    /** Checks every later HELLO against {@code newConfig}'s devices; HELLOs being checked use either set. */
    public void replace(AuthConfig newConfig) {
        config = newConfig;
    }

    /**
     * {@code null} if {@code password} is the device's secret (or auth is open), else why not, for the
     * operator's log: the password form used by HTTP and MQTT inputs, which have no challenge. Compared in
     * constant time; an unknown device costs the same comparison against a dummy secret.
     */
    public String passwordProblem(String deviceId, byte[] password) {
        AuthConfig config = this.config;
        if (config.mode() == AuthConfig.Mode.OPEN) {
            return null;
        }
        byte[] secret = config.devices().secretOf(deviceId);
        boolean right = MessageDigest.isEqual(secret == null ? dummySecret : secret, password);
        if (secret == null) {
            return "device " + deviceId + " is not in " + config.devicesFile();
        }
        if (password.length == 0) {
            return "device " + deviceId + " sent no password (its secret from " + config.devicesFile() + ")";
        }
        return right ? null : "device " + deviceId + " sent a wrong password (" + password.length
                + " characters; it is the device's secret in " + config.devicesFile() + ")";
    }

    /**
     * {@code null} if {@code deviceId} is in the devices file (or auth is open), else why not: for inputs
     * where another party proved who the device is (the MQTT broker), so the gateway only checks the name.
     */
    public String unknownDeviceProblem(String deviceId) {
        AuthConfig config = this.config;
        if (config.mode() == AuthConfig.Mode.OPEN || config.devices().secretOf(deviceId) != null) {
            return null;
        }
        return "device " + deviceId + " is not in " + config.devicesFile();
    }

    /** {@code null} if the HELLO may proceed, else why not, for the operator's log. */
    public String problem(Message.Hello hello, byte[] nonce) {
        AuthConfig config = this.config; // one set for the whole check, whatever a reload does meanwhile
        if (config.mode() == AuthConfig.Mode.OPEN) {
            return null;
        }
        byte[] secret = config.devices().secretOf(hello.deviceId());
        byte[] proof = hello.credentials();
        byte[] expected = prover.compute(secret == null ? dummySecret : secret, nonce, hello.deviceId(), hello.streamId());
        boolean right = MessageDigest.isEqual(expected, proof); // constant time, whatever the proof's length
        if (secret == null) {
            return "device " + hello.deviceId() + " is not in " + config.devicesFile();
        }
        if (proof.length == 0) {
            return "device " + hello.deviceId() + " sent no proof of its secret (is device.secret-file set on the client?)";
        }
        if (!right) {
            return "device " + hello.deviceId() + " sent a wrong proof of its secret (" + proof.length
                    + " bytes; the secrets in the client's device.secret-file and " + config.devicesFile() + " differ)";
        }
        return null;
    }
}
