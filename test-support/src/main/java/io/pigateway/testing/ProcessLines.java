package io.pigateway.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process's output lines (stdout, and stderr where the caller redirected it there), read by a
 * virtual thread, echoed with a {@code [label]} prefix unless the label is null, and kept for {@link #await}.
 */
public final class ProcessLines {
    private final Process process;
    private final String label;
    private final BlockingQueue<String> unread = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();

    private ProcessLines(Process process, String label) {
        this.process = process;
        this.label = label;
    }

    /** Starts reading {@code process}'s output; a null {@code label} reads it without echoing. */
    public static ProcessLines follow(Process process, String label) {
        ProcessLines lines = new ProcessLines(process, label);
        Thread.ofVirtual().start(lines::read);
        return lines;
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (label != null) {
                    System.out.println("[" + label + "] " + line);
                }
                synchronized (all) {
                    all.add(line);
                }
                unread.add(line);
            }
        } catch (Exception e) {
            unread.add("output reader failed: " + e);
        }
    }

    /** Every line it has printed so far, whether or not {@link #await} took it. */
    public List<String> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** The next unread line containing {@code text}, waiting up to {@code limit}; fails if the process exits first. */
    public String await(String text, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            String line = unread.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.contains(text)) {
                return line;
            }
            if (line == null && !process.isAlive() && unread.isEmpty()) {
                String name = label == null ? "the process" : label;
                throw new AssertionError(name + " exited with " + process.exitValue() + " before printing '" + text + "'");
            }
        }
        throw new AssertionError("no line containing '" + text + "' within " + limit.toSeconds() + " s");
    }
}
