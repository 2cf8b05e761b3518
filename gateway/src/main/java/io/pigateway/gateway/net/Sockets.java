package io.pigateway.gateway.net;

import java.io.Closeable;
import java.io.IOException;

/** What the accept loops of the device listener and the line-protocol TCP input do alike. */
public final class Sockets {
    private Sockets() {
    }

    /** After a failed accept (e.g. out of file descriptors): 100 ms, so that the loop does not spin. */
    public static void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing more to do for a socket we are dropping
        }
    }
}
