package io.pigateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Memory of another process on Linux: RSS from /proc, Java heap from {@code jcmd GC.heap_info}. */
final class ProcessMemory {
    private ProcessMemory() {
    }

    /** A field of /proc/PID/status in MiB, e.g. VmRSS (now) or VmHWM (peak since start). */
    static double statusMiB(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0; // the value is in kB
            }
        }
        throw new IOException("no " + field + " in /proc/" + pid + "/status");
    }

    /** Heap in use, in MiB, as the JVM reports it; NaN if jcmd cannot tell. */
    static double heapUsedMiB(long pid) {
        try {
            String out = jcmd(pid, "GC.heap_info");
            // Serial GC prints "DefNew total 116160K, used 31005K [...]" and "Tenured total ..., used ...";
            // G1 "garbage-first heap total ..., used ...": sum the generations' "used".
            double usedK = 0;
            var m = java.util.regex.Pattern.compile("(?m)^\\s*(?:DefNew|Tenured|def new generation|tenured generation|"
                    + "garbage-first heap|PSYoungGen|ParOldGen)\\s+total \\d+K, used (\\d+)K").matcher(out);
            while (m.find()) {
                usedK += Long.parseLong(m.group(1));
            }
            return usedK > 0 ? usedK / 1024.0 : Double.NaN;
        } catch (IOException | InterruptedException e) {
            return Double.NaN;
        }
    }

    /** Collections so far: young and full (old-generation) counts and milliseconds, from the JVM's perf counters. */
    record Collections(long young, double youngMillis, long full, double fullMillis) {
        Collections since(Collections before) {
            return new Collections(young - before.young, youngMillis - before.youngMillis, full - before.full,
                    fullMillis - before.fullMillis);
        }

        @Override
        public String toString() {
            return String.format("%d young collections (%.0f ms), %d full (%.0f ms)", young, youngMillis, full, fullMillis);
        }
    }

    /**
     * The collectors' counters of another JVM ({@code jcmd PerfCounter.print}: sun.gc.collector.0 is the
     * young, .1 the old generation's; times in ticks of sun.os.hrt.frequency); null if it cannot tell.
     */
    static Collections collections(long pid) {
        try {
            java.util.Map<String, Long> c = new java.util.HashMap<>();
            for (String line : jcmd(pid, "PerfCounter.print").split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0 && (line.startsWith("sun.gc.collector.") || line.startsWith("sun.os.hrt.frequency"))) {
                    try {
                        c.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1).strip()));
                    } catch (NumberFormatException e) {
                        // a text counter (the collector's name)
                    }
                }
            }
            Long hz = c.get("sun.os.hrt.frequency");
            if (hz == null || !c.containsKey("sun.gc.collector.0.invocations")) {
                return null;
            }
            return new Collections(c.get("sun.gc.collector.0.invocations"), c.get("sun.gc.collector.0.time") * 1000.0 / hz,
                    c.getOrDefault("sun.gc.collector.1.invocations", 0L),
                    c.getOrDefault("sun.gc.collector.1.time", 0L) * 1000.0 / hz);
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    /** Runs a jcmd command against {@code pid} with the JDK running the benchmark; returns its output. */
    static String jcmd(long pid, String... command) throws IOException, InterruptedException {
        String jcmd = ProcessHandle.current().info().command().map(c -> Path.of(c).resolveSibling("jcmd").toString())
                .orElse("jcmd");
        java.util.List<String> line = new java.util.ArrayList<>(java.util.List.of(jcmd, Long.toString(pid)));
        line.addAll(java.util.List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + String.join(" ", command) + " did not finish within 30 s");
        }
        return out;
    }
}
