package io.pigateway.client.link;

import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;

/**
 * Why a connection that had completed its handshake ended.
 *
 * @param reason           a phrase for the log line, e.g. "the gateway closed the connection"
 * @param refused          the gateway refused what was sent (a non-retryable NACK, or a limit this
 *                         client cannot meet): retry only at the maximum backoff
 * @param nacked           a NACK ended it (retryable or not)
 * @param retryAfterMillis the NACK's advice, 0 if none
 * @param drained          the orderly end of a shutdown
 */
record SessionEnd(String reason, boolean refused, boolean nacked, long retryAfterMillis, boolean drained) {

    static SessionEnd lost(String reason) {
        return new SessionEnd(reason, false, false, 0, false);
    }

    static SessionEnd unmeetable(String reason) {
        return new SessionEnd(reason, true, false, 0, false);
    }

    static SessionEnd nacked(Message.Nack nack) {
        NackCode c = nack.nackCode();
        if (c == NackCode.REPLACED) {
            // This client is alive, so the newer connection is another client using the same device id.
            // Treated as a refusal (maximum backoff), or the two would take turns about once a second.
            return new SessionEnd("sent NACK " + Texts.nack(nack) + "; another client uses the same device id:"
                    + " give each client its own device.id", true, true, nack.retryAfterMillis(), false);
        }
        if (c == NackCode.DUPLICATE_MISMATCH) {
            // The session dropped the refused frame; the rest of the spool may go as usual.
            return new SessionEnd("sent NACK " + Texts.nack(nack) + "; the frame's readings were dropped", false, true,
                    nack.retryAfterMillis(), false);
        }
        boolean retryable = c != null && c.retryable(); // unknown codes: a refusal, better slow than hammering
        return new SessionEnd("sent NACK " + Texts.nack(nack) + (retryable ? "" : "; not retryable"), !retryable, true,
                nack.retryAfterMillis(), false);
    }

    /** STORE_REFUSED or DUPLICATE_MISMATCH: the refused readings were dropped; the rest is sent again without delay beyond the backoff. */
    static SessionEnd refusedData(String reason) {
        return new SessionEnd(reason, false, true, 0, false);
    }

    static SessionEnd drained(String reason) {
        return new SessionEnd(reason, false, false, 0, true);
    }
}
