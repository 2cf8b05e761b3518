package io.pigateway.client.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real file channel whose writes and flushes can be made to fail, like a full disk or a file
 * system remounted read-only: a failing write first writes half of its bytes, as a torn write would.
 */
final class FaultyChannel extends FileChannel {
    /** Shared by every channel an opener made: flip them to make the whole spool fail. */
    static final class Switches {
        final AtomicBoolean failWrites = new AtomicBoolean();
        final AtomicBoolean failFlushes = new AtomicBoolean();
        final AtomicBoolean failOpens = new AtomicBoolean();

        ChannelOpener opener() {
            return path -> {
                if (failOpens.get()) {
                    throw new java.nio.file.FileSystemException(path.toString(), null, "Read-only file system");
                }
                return new FaultyChannel(ChannelOpener.FILES.open(path), path, this);
            };
        }
    }

    private final FileChannel delegate;
    private final Path path;
    private final Switches switches;

    FaultyChannel(FileChannel delegate, Path path, Switches switches) {
        this.delegate = delegate;
        this.path = path;
        this.switches = switches;
    }

    private void checkWrite(ByteBuffer src, long position) throws IOException {
        if (switches.failWrites.get()) {
            ByteBuffer half = src.duplicate();
            half.limit(half.position() + half.remaining() / 2);
            delegate.write(half, position);
            throw new IOException("No space left on device");
        }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        checkWrite(src, position);
        return delegate.write(src, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        checkWrite(src, delegate.position());
        return delegate.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        throw new UnsupportedOperationException("not used by the spool");
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (switches.failFlushes.get()) {
            throw new IOException("Input/output error");
        }
        delegate.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        delegate.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new UnsupportedOperationException("not used by the spool");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        throw new UnsupportedOperationException("not used by the spool");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }

    @Override
    public String toString() {
        return "FaultyChannel[" + path + "]";
    }
}
