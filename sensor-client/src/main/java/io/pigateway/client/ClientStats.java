package io.pigateway.client;

/**
 * A snapshot of what the client has done. {@code sampled + recovered = acknowledged + dropped + pending}
 * always holds.
 *
 * @param sampled        readings taken and handed to the spool, {@code client.readings-dropped} reports included
 * @param recovered      unacknowledged readings found in the spool at start, left by an earlier run
 * @param sent           readings written to a gateway, resends included
 * @param acknowledged   readings the gateway confirmed as committed
 * @param dropped        readings lost unacknowledged: dropped because the spool was full, not stored
 *                       because it could not be written, or refused by the gateway's database (STORE_REFUSED)
 * @param pending        readings in the spool, waiting to be sent or acknowledged
 * @param invalidSamples NaN or infinite samples, never spooled
 * @param failedReads    sensor reads that threw
 * @param connected      a gateway connection is up
 * @param gateway        the gateway connected to or last tried, {@code null} before the first try
 * @param lastProblem    the last connection problem logged, {@code null} if none
 */
public record ClientStats(long sampled, long recovered, long sent, long acknowledged, long dropped, long pending, long invalidSamples,
                          long failedReads, boolean connected, String gateway, String lastProblem) {
}
