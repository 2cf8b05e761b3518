package io.pigateway.gateway.ingest.http;

import io.pigateway.gateway.ingest.IngestRefusal;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A request body read into memory within a limit that holds both for the bytes sent and, with
 * {@code Content-Encoding: gzip}, for the bytes they inflate to: a {@code Content-Length} over the
 * limit is refused before anything is read, and a chunked or compressed body the moment it passes it.
 *
 * @param bytes  the body, valid up to {@code length}
 */
record RequestBody(byte[] bytes, int length) {
    private static final int FIRST_BUFFER = 64 * 1024;

    /**
     * @param contentLength the header's value, or {@code null}
     * @param encoding      {@code Content-Encoding}, or {@code null}
     * @throws IngestRefusal TOO_LARGE over {@code max}; INVALID for a bad length, encoding or gzip stream
     */
    static RequestBody read(InputStream raw, String contentLength, String encoding, int max)
            throws IngestRefusal, IOException {
        long declared = -1;
        if (contentLength != null) {
            try {
                declared = Long.parseLong(contentLength.strip());
            } catch (NumberFormatException e) {
                throw new IngestRefusal(IngestRefusal.Reason.INVALID, "Content-Length '" + contentLength
                        + "' is not a number");
            }
            if (declared > max) {
                throw tooLarge("the body is " + declared + " bytes (Content-Length)", max);
            }
        }
        boolean gzip = false;
        if (encoding != null && !encoding.isBlank()) {
            switch (encoding.strip().toLowerCase(Locale.ROOT)) {
                case "gzip", "x-gzip" -> gzip = true;
                case "identity" -> { }
                default -> throw new IngestRefusal(IngestRefusal.Reason.INVALID, "Content-Encoding '" + encoding
                        + "' is not supported; send the body as is or with gzip");
            }
        }
        InputStream in = new Limited(raw, max);
        if (gzip) {
            try {
                in = new GZIPInputStream(in, 8192);
            } catch (ZipException | java.io.EOFException e) {
                throw new IngestRefusal(IngestRefusal.Reason.INVALID, "the body is not gzip (Content-Encoding: gzip): "
                        + e.getMessage());
            }
        }
        byte[] buf = new byte[(int) Math.min(max, !gzip && declared >= 0 ? declared : FIRST_BUFFER)];
        int length = 0;
        try {
            while (true) {
                if (length == buf.length) {
                    if (length == max) {
                        if (in.read() < 0) {
                            break;
                        }
                        throw tooLarge(gzip ? "the body inflates (gzip) to more than " + max + " bytes"
                                : "the body is more than " + max + " bytes", max);
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(max, Math.max(FIRST_BUFFER, 2L * buf.length)));
                }
                int n = in.read(buf, length, buf.length - length);
                if (n < 0) {
                    break;
                }
                length += n;
            }
        } catch (ZipException e) {
            throw new IngestRefusal(IngestRefusal.Reason.INVALID, "the gzip body is damaged: " + e.getMessage());
        } catch (java.io.EOFException e) {
            if (!gzip) {
                throw e;
            }
            throw new IngestRefusal(IngestRefusal.Reason.INVALID, "the gzip body ends early: " + e.getMessage());
        } catch (Limited.Exceeded e) {
            throw tooLarge("the body is more than " + max + " bytes", max);
        }
        return new RequestBody(buf, length);
    }

    private static IngestRefusal tooLarge(String what, int max) {
        return new IngestRefusal(IngestRefusal.Reason.TOO_LARGE, what + "; at most " + max
                + " are allowed (ingest.http.max-body-bytes)");
    }

    /** The bytes as sent, at most {@code max} of them. */
    private static final class Limited extends InputStream {
        static final class Exceeded extends IOException {
        }

        private final InputStream in;
        private long left;

        Limited(InputStream in, long max) {
            this.in = in;
            this.left = max;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                if (in.read() < 0) {
                    return -1;
                }
                throw new Exceeded();
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
