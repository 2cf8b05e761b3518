package io.pigateway.protocol;

import java.io.InputStream;

/**
 * Hands out its bytes a few at a time, as a slow network does, so every partial-read path runs: reads of
 * at most {@code chunk} bytes, and none that crosses {@code split} (the first read ends there).
 */
final class ChunkedInputStream extends InputStream {
    private final byte[] data;
    private final int split;
    private final int chunk;
    private int pos;

    ChunkedInputStream(byte[] data, int chunk) {
        this(data, 0, chunk);
    }

    ChunkedInputStream(byte[] data, int split, int chunk) {
        this.data = data;
        this.split = split;
        this.chunk = chunk;
    }

    @Override
    public int read() {
        return pos < data.length ? data[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (pos >= data.length) {
            return -1;
        }
        int limit = pos < split ? split : data.length;
        int n = Math.min(Math.min(len, chunk), limit - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
    }
}
