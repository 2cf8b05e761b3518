package io.pigateway.gateway.ingest.sockets;

import io.pigateway.gateway.config.LineSocketConfig;
import io.pigateway.gateway.net.PeerAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.tinylog.Logger;

/** What the TCP and the UDP line-protocol inputs say alike about the endpoint they listen on. */
final class LineEndpoints {
    private LineEndpoints() {
    }

    /** The error for an endpoint that cannot be bound, naming its keys {@code ingest.<input>.address, .port}. */
    static IOException cannotListen(String input, String transport, LineSocketConfig.Endpoint endpoint, IOException e) {
        return new IOException("cannot listen on " + PeerAddress.of(new InetSocketAddress(endpoint.address(),
                endpoint.port())) + " for line protocol over " + transport + " (ingest." + input + ".address, ingest."
                + input + ".port): " + e.getMessage(), e);
    }

    static void logListening(String transport, InetSocketAddress address, LineSocketConfig.Endpoint endpoint) {
        Logger.info("line protocol over {} on {} (at most once: nothing is answered){}", transport,
                PeerAddress.of(address), endpoint.trusted().isEmpty() ? "" : "; trusted sources " + endpoint.trusted());
    }
}
