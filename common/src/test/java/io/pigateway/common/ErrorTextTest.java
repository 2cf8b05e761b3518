package io.pigateway.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class ErrorTextTest {
    @Test
    void chainsDistinctMessagesOutermostFirstOnOneLine() {
        assertEquals("Communications link failure The last packet was sent 0 ms ago.",
                ErrorText.of(new SQLException("Communications link failure\n\nThe last packet was sent 0 ms ago.")));
        assertEquals("Communications link failure: Connection refused",
                ErrorText.of(new SQLException("Communications link failure", new ConnectException("Connection refused"))));
        assertEquals("Failed to execute action for device 118: Remote I/O error", ErrorText.of(new RuntimeException(
                "Failed to execute action for device 118", new IOException("Remote I/O error"))));
    }

    @Test
    void aCauseAlreadySaidAddsNothingAndABlankMessageGivesTheClassName() {
        IOException cause = new IOException("disk full");
        assertEquals("java.io.IOException: disk full", ErrorText.of(new RuntimeException(cause)));
        assertEquals("IllegalStateException", ErrorText.of(new IllegalStateException()));
        assertEquals("unknown error", ErrorText.of(null));
    }

    @Test
    void namesAnUnknownHostAndStopsOnACycleOrAFlood() {
        assertEquals("unknown host gw.example", ErrorText.of(new UnknownHostException("gw.example")));
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertEquals("a: b", ErrorText.of(a));
        Throwable deep = new RuntimeException("root");
        for (int i = 0; i < 1000; i++) {
            deep = new RuntimeException("level " + i, deep);
        }
        assertTrue(ErrorText.of(deep).length() < ErrorText.MAX_LENGTH + 100);
    }
}
