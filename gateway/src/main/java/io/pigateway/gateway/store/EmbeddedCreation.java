package io.pigateway.gateway.store;

import io.pigateway.gateway.config.StoreConfig;
import io.pigateway.gateway.config.StoreConfig.MigrationMode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import org.h2.store.fs.FileUtils;
import org.tinylog.Logger;

/**
 * The embedded store's first start, all or nothing across a power cut. The schema is created in
 * {@code <path>.new.mv.db}, synced and closed, and only then renamed to {@code <path>.mv.db} (the
 * directory synced after). H2 commits each DDL statement on its own and writes without syncing, so
 * a cut while the migrations ran in place could leave a file whose header is torn (H2 then refuses
 * to open it) or whose first migration is half applied (the next start fails on a table that
 * already exists). A cut now leaves either no store file, and the next start begins again, or the
 * whole schema.
 */
final class EmbeddedCreation {
    static final String H2_SUFFIX = ".mv.db";
    private static final String NEW = ".new";

    private EmbeddedCreation() {
    }

    /** Creates the store with every shipped migration unless its file exists; returns the migrations applied. */
    static int createIfAbsent(StoreConfig store) throws StoreException {
        Path base = store.embeddedPath().toAbsolutePath();
        Path file = Path.of(base + H2_SUFFIX);
        if (store.migrate() != MigrationMode.APPLY || Files.exists(file)) {
            return 0;
        }
        Path newBase = Path.of(base + NEW);
        Path newFile = Path.of(newBase + H2_SUFFIX);
        int applied;
        try {
            Files.deleteIfExists(newFile); // left by a cut during an earlier first start
            Files.deleteIfExists(Path.of(newBase + ".trace.db"));
            ConnectionSource source = ConnectionSource.of(StoreConfig.embedded(newBase));
            try (Connection c = source.open()) {
                applied = Migrations.shipped(store.describe()).run(c, MigrationMode.APPLY);
                c.commit();
                source.sync(c);
            } // the last connection: H2 closes the database, which syncs the file once more
            String fs = ConnectionSource.h2FileSystem + ":";
            FileUtils.move(fs + newFile, fs + file);
        } catch (SQLException | IOException | RuntimeException e) {
            throw new StoreException("cannot create " + store.describe() + " (in " + newFile + "): "
                    + (e instanceof SQLException se ? Outage.describe(se) : e.toString()), e);
        }
        syncDirectory(file.getParent());
        return applied;
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
