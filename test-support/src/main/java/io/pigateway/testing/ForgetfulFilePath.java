package io.pigateway.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * H2 on a {@link ForgetfulDisk}: an H2 file system ({@code jdbc:h2:<scheme>:/path}) whose files are
 * opened through the disk; everything else (existence, listing, deleting) is H2's own file system.
 */
public final class ForgetfulFilePath extends FilePathWrapper {
    private static final Map<String, ForgetfulDisk> DISKS = new ConcurrentHashMap<>();
    private static final Map<String, Integer> GENERATIONS = new ConcurrentHashMap<>();
    private static final AtomicInteger SCHEMES = new AtomicInteger();
    /** Set on the registered instance only; H2 makes every path through the no-argument constructor. */
    private final String scheme;

    public ForgetfulFilePath() {
        this(null);
    }

    private ForgetfulFilePath(String scheme) {
        this.scheme = scheme;
    }

    /**
     * Registers a new H2 scheme for {@code disk} and returns it. Use a new one after every cut: H2
     * keeps a database open by its name in the JVM, and a new name makes it read the files afresh
     * instead of joining the crashed gateway's database (whose channels the cut fenced). The scheme
     * belongs to the disk's current power-on period: after the next cut it opens nothing.
     */
    public static String register(ForgetfulDisk disk) {
        String scheme = "powercut" + SCHEMES.incrementAndGet();
        DISKS.put(scheme, disk);
        GENERATIONS.put(scheme, disk.generation());
        FilePath.register(new ForgetfulFilePath(scheme));
        return scheme;
    }

    @Override
    public String getScheme() {
        return scheme != null ? scheme : name.substring(0, name.indexOf(':'));
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        return DISKS.get(getScheme()).open(Path.of(getBase().toString()), GENERATIONS.get(getScheme()));
    }

    @Override
    public void moveTo(FilePath newName, boolean atomicReplace) {
        super.moveTo(newName, atomicReplace);
        String target = newName instanceof FilePathWrapper w ? w.unwrap().toString() : newName.toString();
        DISKS.get(getScheme()).moved(Path.of(getBase().toString()), Path.of(target));
    }
}
