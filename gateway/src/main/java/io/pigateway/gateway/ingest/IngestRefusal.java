package io.pigateway.gateway.ingest;

/**
 * Why readings from an input were not stored, in terms each input can answer with: an HTTP status,
 * a reason text, and for a temporary refusal how long the sender should wait. Nothing of a refused
 * request was stored unless {@link #partlyStored()} says so.
 */
public final class IngestRefusal extends Exception {
    /** What went wrong, with the HTTP status an HTTP input answers. */
    public enum Reason {
        /** The request cannot be parsed or holds a value the gateway cannot store. */
        INVALID(400),
        /** No credentials, or wrong ones. */
        UNAUTHORIZED(401),
        /** Valid credentials for one device, readings for another. */
        FORBIDDEN(403),
        /** A reading with this key is already stored with another value (see docs/INGEST.md). */
        CONFLICT(409),
        /** Over a size limit (body, lines, fields). */
        TOO_LARGE(413),
        /** Over the device's reading rate ({@code limits.max-readings-per-second}). */
        RATE_LIMITED(429),
        /** The store is failing or its queue stayed full: retry later. */
        UNAVAILABLE(503);

        private final int httpStatus;

        Reason(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Reason reason;
    private final long retryAfterSeconds;
    private final boolean partlyStored;

    public IngestRefusal(Reason reason, String message) {
        this(reason, message, 0, false, null);
    }

    public IngestRefusal(Reason reason, String message, long retryAfterSeconds, boolean partlyStored, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
        this.partlyStored = partlyStored;
    }

    public Reason reason() {
        return reason;
    }

    /** Seconds to wait before a retry (at least 1) for RATE_LIMITED and UNAVAILABLE, else 0. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /**
     * Whether some of the request's readings were committed before the refusal (a request that spans
     * several transactions): a retry stores them again only if they had no time (see {@link IngestKeys}).
     */
    public boolean partlyStored() {
        return partlyStored;
    }
}
