package io.pigateway.client.link;

import io.pigateway.common.ErrorText;
import io.pigateway.protocol.Message;
import io.pigateway.protocol.NackCode;
import java.time.Duration;
import java.util.Locale;

/** Wording shared by the link's log lines. */
final class Texts {
    private Texts() {
    }

    /** {@code 2.1 s}: the precision a person reading a log wants. */
    static String seconds(Duration d) {
        return seconds(d.toNanos());
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** {@code STORE_UNAVAILABLE (10): reason}, on one line whatever the peer put in the reason. */
    static String nack(Message.Nack n) {
        NackCode code = n.nackCode();
        String name = code == null ? "unknown code" : code.name();
        return name + " (" + n.code() + "): " + oneLine(n.reason());
    }

    /** Text from the network or an exception, made safe for a single log line. */
    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        return b.toString().strip();
    }
}
