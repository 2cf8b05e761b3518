package io.pigateway.gateway.ingest.lineprotocol;

/**
 * A line that cannot be parsed or mapped, with its 1-based line number and the reason; the message
 * reads {@code line 3: field 'temp' has value '12x', ...}.
 */
public final class LineProtocolException extends Exception {
    /** Whether the line broke the syntax or only one of the size limits (which an HTTP input answers with 413). */
    public enum Kind { SYNTAX, LIMIT, MAPPING }

    private final int line;
    private final String reason;
    private final Kind kind;

    public LineProtocolException(int line, Kind kind, String reason) {
        super("line " + line + ": " + reason);
        this.line = line;
        this.kind = kind;
        this.reason = reason;
    }

    /** 1-based. */
    public int line() {
        return line;
    }

    /** The reason without the line number. */
    public String reason() {
        return reason;
    }

    public Kind kind() {
        return kind;
    }
}
