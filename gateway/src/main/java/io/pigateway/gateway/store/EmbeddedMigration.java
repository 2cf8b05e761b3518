package io.pigateway.gateway.store;

import io.pigateway.common.ErrorText;
import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.StoreConfig.MigrationMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.h2.store.fs.FileUtils;
import org.tinylog.Logger;

/**
 * The embedded store's schema migrations, all or nothing across a power cut: at the first start and at
 * an upgrade that brings new migrations. They are applied to a file aside, {@code <path>.new.mv.db} (first
 * start: an empty file) or {@code <path>.upgrade.mv.db} (upgrade: a synced copy of the store, made while
 * H2 has the store closed), which is synced and closed and only then renamed over {@code <path>.mv.db}
 * (the directory synced after). H2 commits each DDL statement on its own and writes without syncing, so
 * a cut while migrations ran in place could leave a file whose header is torn (H2 then refuses to open
 * it) or a migration half applied (the next start fails on a table that already exists). A cut now
 * leaves the store as it was before the start, or with every migration; the next start deletes the
 * file aside and begins again.
 */
final class EmbeddedMigration {
    static final String H2_SUFFIX = ".mv.db";
    static final String NEW = ".new";
    static final String UPGRADE = ".upgrade";
    private static final int COPY_BUFFER_BYTES = 1 << 20;

    private EmbeddedMigration() {
    }

    /**
     * Applies the {@code migrations} the store lacks, creating it if its file does not exist; returns the
     * number applied. Does nothing unless {@code store.migrate} is {@code apply}.
     */
    static int apply(StoreConfig store, Migrations migrations) throws StoreException {
        Path base = store.embeddedPath().toAbsolutePath();
        Path file = Path.of(base + H2_SUFFIX);
        if (store.migrate() != MigrationMode.APPLY) {
            return 0;
        }
        Path newBase = Path.of(base + NEW);
        Path upgradeBase = Path.of(base + UPGRADE);
        deleteLeftovers(store, newBase); // left by a cut during an earlier first start
        deleteLeftovers(store, upgradeBase); // or upgrade
        if (!Files.exists(file)) {
            return buildAside(store, migrations, null, newBase);
        }
        if (pending(store, migrations).isEmpty()) {
            return 0;
        }
        return buildAside(store, migrations, file, upgradeBase);
    }

    /** The migrations the store lacks; H2 has the store closed again on return. */
    private static List<Migration> pending(StoreConfig store, Migrations migrations) throws StoreException {
        ConnectionSource source = ConnectionSource.of(store);
        try (Connection c = source.open()) { // the last connection: closing it closes the database
            return migrations.missing(c);
        } catch (SQLException e) {
            throw new StoreException("cannot open " + store.describe() + ": " + ErrorText.of(e), e);
        }
    }

    /** Copies {@code original} (none: starts empty) to {@code asideBase}, migrates it and renames it into place. */
    private static int buildAside(StoreConfig store, Migrations migrations, Path original, Path asideBase)
            throws StoreException {
        Path file = Path.of(store.embeddedPath().toAbsolutePath() + H2_SUFFIX);
        Path asideFile = Path.of(asideBase + H2_SUFFIX);
        String fs = ConnectionSource.h2FileSystem + ":";
        int applied;
        try {
            if (original != null) {
                copy(fs + original, fs + asideFile);
            }
            ConnectionSource source = ConnectionSource.of(StoreConfig.embedded(asideBase));
            try (Connection c = source.open()) {
                applied = migrations.run(c, MigrationMode.APPLY);
                c.commit();
                source.sync(c);
            } // the last connection: H2 closes the database, which syncs the file once more
            FileUtils.moveAtomicReplace(fs + asideFile, fs + file);
        } catch (SQLException | IOException | RuntimeException e) {
            throw new StoreException("cannot " + (original == null ? "create " : "upgrade ") + store.describe()
                    + " (in " + asideFile + "): " + (e instanceof SQLException se ? ErrorText.of(se) : e.toString()), e);
        }
        syncDirectory(file.getParent());
        return applied;
    }

    private static void deleteLeftovers(StoreConfig store, Path asideBase) throws StoreException {
        try {
            Files.deleteIfExists(Path.of(asideBase + H2_SUFFIX));
            Files.deleteIfExists(Path.of(asideBase + ".trace.db"));
        } catch (IOException e) {
            throw new StoreException("cannot delete what an interrupted migration of " + store.describe()
                    + " left in " + asideBase + H2_SUFFIX + ": " + e, e);
        }
    }

    /** Copies through H2's file system (so that the power-cut tests see it) and syncs the copy. */
    private static void copy(String from, String to) throws IOException {
        try (FileChannel in = FileUtils.open(from, "r"); FileChannel out = FileUtils.open(to, "rw")) {
            ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER_BYTES);
            long position = 0;
            while (in.read(buffer.clear(), position) > 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    position += out.write(buffer, position);
                }
            }
            out.truncate(position);
            out.force(true);
        }
    }

    /** The rename survives a power cut once the directory is synced. Best effort: not every file system can. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            Logger.debug("could not sync directory {}: {}", dir, e.toString());
        }
    }
}
