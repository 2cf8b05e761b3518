package io.pigateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The log lines this JVM writes while it is open. The gateway logs to stdout through tinylog's
 * console writer, which looks up {@code System.out} for each line, so replacing that stream sees
 * every line; they are still echoed to the original stream.
 *
 * <p>Either around a part of a test ({@code try (CapturedLog log = CapturedLog.start()) {...}}) or for
 * each test as a JUnit extension: {@code @RegisterExtension final CapturedLog log = CapturedLog.eachTest();}.
 */
public final class CapturedLog implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
    private PrintStream original;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    private CapturedLog() {
    }

    private void begin() {
        synchronized (buffer) {
            buffer.reset();
        }
        original = System.out;
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                synchronized (buffer) {
                    buffer.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                synchronized (buffer) {
                    buffer.write(b, off, len);
                }
            }
        };
        System.setOut(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    public static CapturedLog start() {
        CapturedLog log = new CapturedLog();
        log.begin();
        return log;
    }

    /** Captures from before each test to after it, as a JUnit extension. */
    public static CapturedLog eachTest() {
        return new CapturedLog();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        begin();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** Lines so far that contain every one of {@code parts}. */
    public List<String> lines(String... parts) {
        String text;
        synchronized (buffer) {
            text = buffer.toString(StandardCharsets.UTF_8);
        }
        return text.lines().filter(l -> Arrays.stream(parts).allMatch(l::contains)).toList();
    }

    /** Waits up to {@code timeout} for a line with every one of {@code parts}; returns all such lines. */
    public List<String> await(Duration timeout, String... parts) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> found = lines(parts);
        while (found.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
            found = lines(parts);
        }
        if (found.isEmpty()) {
            throw new AssertionError("no log line with " + Arrays.toString(parts) + " within " + timeout.toMillis() + " ms");
        }
        return found;
    }

    @Override
    public void close() {
        if (original != null) {
            System.setOut(original);
            original = null;
        }
    }
}
