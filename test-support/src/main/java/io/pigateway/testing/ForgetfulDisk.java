package io.pigateway.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A disk that loses power: at {@link #cut()} every file goes back to what its last {@code force} made
 * durable, and everything written since is forgotten, as the page cache is when the power goes.
 *
 * <p>Files live in a real directory, so names, listings and deletions are the real file system's,
 * and what the running program reads is the real file. What a cut would leave is kept here: per file,
 * its content as of its last {@code force}, plus the writes and truncations made since. A cut:
 * <ol>
 *   <li>fences the machine that lost power: every channel opened before the cut fails from then on
 *       (its real channel is closed, releasing its locks), so no thread of the crashed program writes
 *       or syncs anything any more, and no sync it had begun can complete after the cut;</li>
 *   <li>sets every file back to its durable content. With {@code keepChance} above 0, each write
 *       made since the last {@code force} is kept instead with that chance, independently and in no
 *       particular order (the page cache writes back in any order), and a kept write that spans
 *       several 512-byte sectors may be torn at a sector boundary;</li>
 *   <li>removes a file created since the last cut that was never forced: its name was never made
 *       durable (with {@code keepChance}, it survives with that chance).</li>
 * </ol>
 * Not modelled: storage that acknowledges a flush it has not done (some SD cards), sectors torn in
 * their middle, bit rot, lost directory operations other than creation (a deletion or rename is
 * durable at once), and metadata such as modification times.
 *
 * <p>Thread-safe; every operation of every channel takes one lock, so a cut falls between two
 * operations, never inside one.
 */
public final class ForgetfulDisk {
    static final int SECTOR = 512;

    private final Object lock = new Object();
    private final Random random;
    private final double keepChance;
    private final Map<Path, Durable> files = new HashMap<>();
    private final List<Channel> open = new ArrayList<>();
    private int generation;
    private long forces;
    private long cuts;
    /** Writes, truncations and forces so far, and the one at which {@link #cutAtOperation} cuts. */
    private long operations;
    private long cutAt = Long.MAX_VALUE;
    private String lastCut = "no power cut yet";
    private long forgotten;
    private long kept;

    /**
     * @param seed       for the choices a cut makes with {@code keepChance}
     * @param keepChance the chance that a write made since the last sync survives a cut anyway; 0 forgets them all
     */
    public ForgetfulDisk(long seed, double keepChance) {
        this.random = new Random(seed);
        this.keepChance = keepChance;
    }

    /** The power-on period we are in: a program started now passes it to {@link #open(Path, int)}. */
    public int generation() {
        synchronized (lock) {
            return generation;
        }
    }

    /**
     * Opens {@code path} for reading and writing, creating it if need be, for a program started in
     * {@code generation}: once the power was cut after that, the program can open nothing more.
     */
    public FileChannel open(Path path, int generation) throws IOException {
        Path p = path.toAbsolutePath().normalize();
        synchronized (lock) {
            if (generation != this.generation) {
                throw new IOException(p + ": Input/output error (the power was cut)");
            }
            boolean existed = Files.exists(p);
            FileChannel real = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            Durable d = files.get(p);
            if (d == null || !existed) {
                d = new Durable(existed ? readAll(real) : new byte[0], existed);
                files.put(p, d);
            }
            Channel c = new Channel(p, d, real, generation);
            open.add(c);
            return c;
        }
    }

    /** A rename, durable at once here: what was durable under the old name is under the new one. */
    public void moved(Path from, Path to) {
        synchronized (lock) {
            Durable d = files.remove(from.toAbsolutePath().normalize());
            Path target = to.toAbsolutePath().normalize();
            if (d != null) {
                files.put(target, d);
            } else {
                files.remove(target);
            }
        }
    }

    /**
     * The power goes: the running program can no longer touch this disk, and what it wrote since its
     * last syncs is gone (or, with {@code keepChance}, partly kept). Returns a line saying what was lost.
     */
    public String cut() throws IOException {
        synchronized (lock) {
            generation++;
            cuts++;
            cutAt = Long.MAX_VALUE; // a cut asked for at an operation is moot now
            for (Channel c : open) {
                try {
                    c.real.close();
                } catch (IOException e) {
                    // closing is all we want
                }
            }
            open.clear();
            long forgottenBefore = forgotten;
            long keptBefore = kept;
            int removed = 0;
            for (Iterator<Map.Entry<Path, Durable>> it = files.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Path, Durable> e = it.next();
                Path path = e.getKey();
                Durable d = e.getValue();
                if (!Files.exists(path)) {
                    it.remove(); // deleted: a deletion is durable at once here
                    continue;
                }
                for (Change c : d.pending) {
                    if (keepChance > 0 && random.nextDouble() < keepChance) {
                        d.apply(torn(c));
                        kept++;
                    } else {
                        forgotten++;
                    }
                }
                d.pending.clear();
                if (!d.named && !(keepChance > 0 && random.nextDouble() < keepChance)) {
                    Files.delete(path);
                    it.remove();
                    removed++;
                    continue;
                }
                d.named = true;
                try (FileChannel f = FileChannel.open(path, StandardOpenOption.WRITE)) {
                    f.truncate(d.length);
                    f.write(ByteBuffer.wrap(d.bytes, 0, (int) d.length), 0);
                }
            }
            lastCut = "power cut " + cuts + ": " + (forgotten - forgottenBefore) + " unsynced writes forgotten, "
                    + (kept - keptBefore) + " kept anyway, " + removed + " never-synced files gone";
            return lastCut;
        }
    }

    /**
     * Cuts the power at the {@code n}-th write, truncation or force from now (1 = the next), in the thread
     * that makes it, which fails as if the power went just before it: a cut at an exact point of what the
     * program does, rather than at a moment. {@link #lastCut()} then says what was lost.
     */
    public void cutAtOperation(long n) {
        synchronized (lock) {
            cutAt = operations + n;
        }
    }

    /** Writes, truncations and forces made so far, on every file. */
    public long operations() {
        synchronized (lock) {
            return operations;
        }
    }

    /** What the last {@link #cut()} lost, as it returned. */
    public String lastCut() {
        synchronized (lock) {
            return lastCut;
        }
    }

    /** Caller holds the lock: counts one operation, and cuts the power there if {@link #cutAtOperation} asked. */
    private void operation(Path path) throws IOException {
        operations++;
        if (operations == cutAt) {
            cut();
            throw new IOException(path + ": Input/output error (the power was cut)");
        }
    }

    /** A kept write, possibly torn: only its first sectors made it. */
    private Change torn(Change c) {
        if (!(c instanceof Write w) || random.nextInt(4) != 0) {
            return c;
        }
        long end = w.position + w.data.length;
        long firstBoundary = (w.position / SECTOR + 1) * SECTOR;
        if (firstBoundary >= end) {
            return c;
        }
        long boundaries = (end - 1 - firstBoundary) / SECTOR + 1;
        long cut = firstBoundary + SECTOR * (long) random.nextInt((int) Math.min(boundaries, Integer.MAX_VALUE));
        return new Write(w.position, Arrays.copyOf(w.data, (int) (cut - w.position)));
    }

    public long forces() {
        synchronized (lock) {
            return forces;
        }
    }

    public long cuts() {
        synchronized (lock) {
            return cuts;
        }
    }

    private static byte[] readAll(FileChannel c) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(c.size()));
        while (b.hasRemaining() && c.read(b, b.position()) > 0) {
            // fill
        }
        return b.array();
    }

    private sealed interface Change permits Write, Truncate {
    }

    private record Write(long position, byte[] data) implements Change {
    }

    private record Truncate(long size) implements Change {
    }

    /** What a file holds on the disk proper: its content as of its last force, and the changes since. */
    private static final class Durable {
        byte[] bytes;
        long length;
        /** Whether the file's name is durable (it existed at the start, or was forced since it was created). */
        boolean named;
        final List<Change> pending = new ArrayList<>();

        Durable(byte[] content, boolean named) {
            this.bytes = content;
            this.length = content.length;
            this.named = named;
        }

        void force() {
            pending.forEach(this::apply);
            pending.clear();
            named = true;
        }

        void apply(Change c) {
            switch (c) {
                case Write w -> {
                    long end = w.position + w.data.length;
                    if (end > bytes.length) {
                        bytes = Arrays.copyOf(bytes, (int) Math.max(end, bytes.length * 2L));
                    }
                    if (w.position > length) {
                        Arrays.fill(bytes, (int) length, (int) w.position, (byte) 0);
                    }
                    System.arraycopy(w.data, 0, bytes, (int) w.position, w.data.length);
                    length = Math.max(length, end);
                }
                case Truncate t -> {
                    if (t.size < length) {
                        length = t.size;
                    }
                }
            }
        }
    }

    /** A channel of the running program: works on the real file and tells the disk what it changed. */
    private final class Channel extends FileChannel {
        private final Path path;
        private final Durable durable;
        private final FileChannel real;
        private final int openedIn;

        Channel(Path path, Durable durable, FileChannel real, int openedIn) {
            this.path = path;
            this.durable = durable;
            this.real = real;
            this.openedIn = openedIn;
        }

        /** Caller holds the lock. */
        private void alive() throws IOException {
            if (openedIn != generation) {
                throw new IOException(path + ": Input/output error (the power was cut)");
            }
        }

        private interface IoCall<T> {
            T call() throws IOException;
        }

        /** {@code call}'s result, under the lock, if the power has not been cut since this channel was opened. */
        private <T> T whileAlive(IoCall<T> call) throws IOException {
            synchronized (lock) {
                alive();
                return call.call();
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return whileAlive(() -> real.read(dst));
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return whileAlive(() -> real.read(dst, position));
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return whileAlive(() -> real.read(dsts, offset, length));
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            synchronized (lock) {
                alive();
                long at = real.position();
                int n = write(src, at);
                real.position(at + n);
                return n;
            }
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            synchronized (lock) {
                alive();
                operation(path);
                ByteBuffer copy = src.duplicate();
                int n = real.write(src, position);
                byte[] data = new byte[n];
                copy.get(data);
                durable.pending.add(new Write(position, data));
                return n;
            }
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                n += write(srcs[i]);
            }
            return n;
        }

        @Override
        public long position() throws IOException {
            return whileAlive(() -> real.position());
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            whileAlive(() -> real.position(newPosition));
            return this;
        }

        @Override
        public long size() throws IOException {
            return whileAlive(() -> real.size());
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            synchronized (lock) {
                alive();
                operation(path);
                if (size < real.size()) {
                    durable.pending.add(new Truncate(size));
                }
                real.truncate(size);
                return this;
            }
        }

        /** The sync: what this file's channels changed is durable from now on. The real file is not synced; it need not be. */
        @Override
        public void force(boolean metaData) throws IOException {
            synchronized (lock) {
                alive();
                operation(path);
                durable.force();
                forces++;
            }
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException("not modelled");
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException("not modelled");
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException("not modelled");
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            synchronized (lock) {
                alive();
            }
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return whileAlive(() -> real.tryLock(position, size, shared));
        }

        @Override
        protected void implCloseChannel() throws IOException {
            synchronized (lock) {
                open.remove(this);
                real.close();
            }
        }
    }
}
