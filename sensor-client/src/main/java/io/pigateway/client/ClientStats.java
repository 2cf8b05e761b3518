package io.pigateway.client;

/**
 * A snapshot of what the client has done. {@code sampled = acknowledged + dropped + pending} always holds.
 *
 * @param sampled        readings taken and buffered
 * @param sent           readings written to a gateway, resends included
 * @param acknowledged   readings the gateway confirmed as committed
 * @param dropped        readings lost unacknowledged because the buffer was full
 * @param pending        readings in the buffer, waiting to be sent or acknowledged
 * @param invalidSamples NaN or infinite samples, never buffered
 * @param failedReads    sensor reads that threw
 * @param connected      a gateway connection is up
 * @param gateway        the gateway connected to or last tried, {@code null} before the first try
 * @param lastProblem    the last connection problem logged, {@code null} if none
 */
public record ClientStats(long sampled, long sent, long acknowledged, long dropped, long pending, long invalidSamples,
                          long failedReads, boolean connected, String gateway, String lastProblem) {
}
