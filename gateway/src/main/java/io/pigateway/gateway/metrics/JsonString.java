package io.pigateway.gateway.metrics;

/** JSON strings in the gateway's small hand-written HTTP answers (/health, ingest HTTP errors). */
public final class JsonString {
    private JsonString() {
    }

    /** {@code s} in double quotes, escaped. */
    public static String quoted(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        appendEscaped(s, b);
        return b.append('"').toString();
    }

    /** A JSON string's content: messages (e.g. a driver's) may hold quotes, backslashes or control characters. */
    public static void appendEscaped(String s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
