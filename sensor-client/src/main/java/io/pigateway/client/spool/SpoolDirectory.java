package io.pigateway.client.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.tinylog.Logger;

/**
 * The directory of one client's spool, {@code <spool.dir>/<device-id>/}: made if need be (but not
 * its parent's parent: a missing {@code /var/lib/pi-sensor-client} is an installation problem),
 * locked against a second client with the same device id, and flushed after a file is created.
 */
final class SpoolDirectory {
    private SpoolDirectory() {
    }

    /** Makes {@code base/deviceId}; every failure names the path and the reason. */
    static Path prepare(Path base, String deviceId) {
        Path abs = base.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            if (Files.exists(abs)) {
                throw unusable("spool.dir " + abs + " is not a directory", null);
            }
            Path parent = abs.getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw unusable("spool.dir " + abs + " does not exist, and neither does its parent " + parent
                        + "; create it, writable for the user the client runs as", null);
            }
            create(abs);
        }
        Path dir = abs.resolve(deviceId);
        if (!Files.isDirectory(dir)) {
            if (Files.exists(dir)) {
                throw unusable("spool directory " + dir + " exists but is not a directory", null);
            }
            create(dir);
        }
        return dir;
    }

    /** Opens and locks the meta file; a spool that cannot be written fails here, before any sampling. */
    static MetaFile openMeta(Path dir, ChannelOpener opener) {
        Path path = dir.resolve(MetaFile.NAME);
        boolean existed = Files.exists(path);
        FileChannel channel;
        try {
            channel = opener.open(path);
        } catch (IOException e) {
            throw unusable("spool directory " + dir + " is not usable: cannot open " + path + " for writing: "
                    + FailureStreak.describe(e), e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            close(channel);
            throw unusable("spool directory " + dir + " is not usable: cannot lock " + path + ": "
                    + FailureStreak.describe(e), e);
        }
        if (lock == null) {
            close(channel);
            throw unusable("spool directory " + dir + " is in use by another sensor client (is a second client running"
                    + " with device id " + dir.getFileName() + "?)", null);
        }
        if (!existed) {
            sync(dir);
        }
        return new MetaFile(path, channel);
    }

    /** Flushes the directory itself, so a newly created file's name survives a power cut. Best effort. */
    static void sync(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            Logger.debug("could not flush directory {}: {}", dir, FailureStreak.describe(e));
        }
    }

    private static void create(Path dir) {
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw unusable("cannot create spool directory " + dir + ": " + FailureStreak.describe(e), e);
        }
        sync(dir.getParent());
    }

    private static void close(FileChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing written yet
        }
    }

    private static SpoolUnusableException unusable(String message, Throwable cause) {
        return new SpoolUnusableException(message, cause);
    }
}
