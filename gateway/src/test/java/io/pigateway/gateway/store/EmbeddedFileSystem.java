package io.pigateway.gateway.store;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Puts the embedded store on another H2 file system, e.g. a {@link io.pigateway.testing.ForgetfulFilePath} scheme. */
public final class EmbeddedFileSystem {
    private EmbeddedFileSystem() {
    }

    /** Stores opened from now on use H2 file system {@code scheme}. */
    public static void use(String scheme) {
        ConnectionSource.h2FileSystem = scheme;
    }

    /** Back to H2's own file system. */
    public static void reset() {
        use("file");
    }

    /** The JDBC URL of the embedded store at {@code file} on the current file system. */
    public static String url(java.nio.file.Path file) {
        return ConnectionSource.h2Url(file);
    }

    /** Back to H2's own file system after each test: {@code @ExtendWith(EmbeddedFileSystem.ResetAfterEach.class)}. */
    public static final class ResetAfterEach implements AfterEachCallback {
        @Override
        public void afterEach(ExtensionContext context) {
            reset();
        }
    }
}
