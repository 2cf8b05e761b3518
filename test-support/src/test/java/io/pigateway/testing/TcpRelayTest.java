package io.pigateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay the fault tests share: relays, cuts, restores, survives a refused upstream, closes what it relays. */
@Timeout(20)
class TcpRelayTest {
    /** An echo server on loopback; each connection echoes until the client closes. */
    private static ServerSocket echo() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException e) {
                            // client gone
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }

    private static int roundTrip(Socket s, int value) throws IOException {
        s.getOutputStream().write(value);
        s.getOutputStream().flush();
        return s.getInputStream().read();
    }

    @Test
    void relaysThenCutsEveryConnectionAndListensAgainOnTheSamePortAfterRestore() throws Exception {
        try (ServerSocket server = echo(); TcpRelay relay = new TcpRelay(server.getLocalPort())) {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port());
            assertEquals(7, roundTrip(s, 7));
            relay.cut();
            assertEquals(-1, s.getInputStream().read(), "a relayed connection ends at the cut");
            s.close(); // as a client does on seeing the end; else the port stays held by the half-closed connection
            relay.restore();
            try (Socket again = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
                assertEquals(8, roundTrip(again, 8));
            }
        }
    }

    @Test
    void keepsAcceptingAfterTheServerRefusedAConnection() throws Exception {
        ServerSocket server = echo();
        int port = server.getLocalPort();
        server.close();
        try (TcpRelay relay = new TcpRelay(port)) {
            try (Socket refused = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
                assertEquals(-1, refused.getInputStream().read(), "the client sees its connection close");
            }
            try (ServerSocket back = new ServerSocket()) {
                back.setReuseAddress(true);
                back.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                Thread.ofVirtual().start(() -> {
                    try (Socket s = back.accept()) {
                        s.getOutputStream().write(s.getInputStream().read());
                    } catch (IOException e) {
                        // test over
                    }
                });
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
                    assertEquals(9, roundTrip(s, 9));
                }
            }
        }
    }

    @Test
    void closeEndsTheConnectionsItRelays() throws Exception {
        try (ServerSocket server = echo()) {
            TcpRelay relay = new TcpRelay(server.getLocalPort());
            Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port());
            assertEquals(1, roundTrip(s, 1));
            relay.close();
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void cutsEachConnectionWithinItsByteBudgetUntilEnoughCutsThenPassesEverything() throws Exception {
        try (ServerSocket server = echo(); TcpRelay relay = new TcpRelay(server.getLocalPort()).cutAfterRandomBytes(3, 10, 1)) {
            for (int i = 0; i < 3; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
                    int echoed = 0;
                    for (int b = 0; b < 20 && echoed >= 0; b++) {
                        try {
                            echoed = roundTrip(s, b);
                        } catch (IOException e) {
                            echoed = -1; // written after the cut: reset
                        }
                    }
                    assertEquals(-1, echoed, "connection " + i + " was cut within 10 bytes each way");
                }
            }
            Await.until("3 cuts counted", Duration.ofSeconds(5), () -> relay.cuts() == 3);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
                for (int b = 0; b < 100; b++) {
                    assertEquals(b, roundTrip(s, b));
                }
            }
            assertTrue(relay.cuts() == 3);
        }
    }
}
