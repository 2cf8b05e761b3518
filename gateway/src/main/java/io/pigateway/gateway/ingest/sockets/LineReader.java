package io.pigateway.gateway.ingest.sockets;

/**
 * Cuts bytes into lines at {@code \n} for a {@link LineBatch}, never holding more than one line of at
 * most {@code maxLineBytes} (+1 for a {@code \r}): a longer line is not kept but skipped up to its
 * newline and refused, with its length. Not thread-safe: one per connection or datagram worker.
 */
final class LineReader {
    private final byte[] line;
    private int length;
    /** {@code >= 0} while skipping a line over the limit: its length so far. */
    private long skipping = -1;
    private int lineNumber;

    LineReader(int maxLineBytes) {
        this.line = new byte[maxLineBytes + 1];
    }

    /** Hands each line completed by the {@code n} bytes at {@code offset} to {@code batch}. */
    void feed(byte[] buf, int offset, int n, String peer, LineBatch batch) {
        for (int i = offset; i < offset + n; i++) {
            byte b = buf[i];
            if (b == '\n') {
                end(peer, batch);
            } else if (skipping >= 0) {
                skipping++;
            } else if (length == line.length) {
                skipping = length + 1L;
            } else {
                line[length++] = b;
            }
        }
    }

    /**
     * The end of a datagram or a stream; numbering starts again. A last line without its newline is
     * a whole line at the end of a datagram ({@code whole}); at the end of a TCP stream it may have
     * been cut short (a sender that died mid-write), so it is refused: a cut {@code temp=21.57} would
     * parse as {@code temp=21.5}.
     */
    void finish(String peer, LineBatch batch, boolean whole) {
        if (length > 0 || skipping >= 0) {
            if (whole) {
                end(peer, batch);
            } else {
                lineNumber++;
                batch.unterminated(peer, lineNumber);
            }
        }
        length = 0;
        skipping = -1;
        lineNumber = 0;
    }

    private void end(String peer, LineBatch batch) {
        lineNumber++;
        if (skipping >= 0) {
            batch.tooLong(peer, lineNumber, skipping);
            skipping = -1;
        } else {
            batch.add(line, 0, length, peer, lineNumber);
        }
        length = 0;
    }
}
