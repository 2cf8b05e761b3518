package io.pigateway.client.link;

/**
 * What the link has done so far.
 *
 * @param sent            readings written in READINGS frames, resends included
 * @param handshakes      successful handshakes
 * @param failedAttempts  connection attempts that did not reach HELLO_OK (unreachable, refused, no answer)
 * @param refusals        NACKs received, at the handshake or later
 * @param connected       true while a connection is up
 * @param gateway         the gateway connected to, or the last one tried; {@code null} before the first try
 * @param lastProblem     the last error line logged, {@code null} if none yet
 * @param byeSent         true once a BYE went out during shutdown
 */
public record LinkStats(long sent, long handshakes, long failedAttempts, long refusals, boolean connected,
                        String gateway, String lastProblem, boolean byeSent) {
}
