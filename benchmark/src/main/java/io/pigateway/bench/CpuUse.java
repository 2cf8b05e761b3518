package io.pigateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who used the machine's CPUs over an interval, from Linux's /proc: the whole machine, each of the
 * benchmark's own processes (this JVM as load generator, the gateway, the database server), and by
 * difference every other process. On a shared machine the last one says how far a figure reflects
 * the gateway rather than its neighbours. Percentages are of all cores together.
 */
final class CpuUse {
    private final Map<String, Long> pids;
    private final long[] machineStart;
    private final Map<String, Long> processStart = new LinkedHashMap<>();

    private CpuUse(Map<String, Long> pids) throws IOException {
        this.pids = pids;
        this.machineStart = machine();
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            processStart.put(e.getKey(), process(e.getValue()));
        }
    }

    /** Starts counting for the named processes (name to pid); a pid of -1 is left out. */
    static CpuUse start(Map<String, Long> pids) throws IOException {
        Map<String, Long> known = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            if (pid > 0) {
                known.put(name, pid);
            }
        });
        return new CpuUse(known);
    }

    /** The pid of the database server the benchmark started (a child of this JVM), or -1. */
    static long databasePid() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("mariadbd") || c.endsWith("mysqld")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
    }

    /**
     * Percent of all cores since the start: "busy" (the machine), each named process, and "other
     * processes" (busy minus the named ones).
     */
    Map<String, Double> shares() throws IOException {
        long[] machine = machine();
        double total = Math.max(1, machine[1] - machineStart[1]);
        long busy = machine[0] - machineStart[0];
        Map<String, Double> shares = new LinkedHashMap<>();
        shares.put("busy", 100 * busy / total);
        long ours = 0;
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            long used = process(e.getValue()) - processStart.get(e.getKey());
            ours += used;
            shares.put(e.getKey(), 100 * used / total);
        }
        shares.put(OTHERS, 100 * Math.max(0, busy - ours) / total);
        return shares;
    }

    static final String OTHERS = "other processes";

    /** One line: the machine busy, each named process, everything else. */
    String report() throws IOException {
        Map<String, Double> shares = shares();
        StringBuilder line = new StringBuilder(String.format("CPU busy %.0f %% of all cores:", shares.remove("busy")));
        shares.forEach((name, share) -> line.append(String.format(" %s %.0f %%,", name, share)));
        line.setLength(line.length() - 1);
        return line.toString();
    }

    /** Busy and total clock ticks of all CPUs together, from the first line of /proc/stat. */
    private static long[] machine() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal ...
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]) + Long.parseLong(f[8]);
        return new long[] {busy, busy + idle};
    }

    /** User and system clock ticks of a process, all its threads; 0 once it has gone. */
    private static long process(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        String s;
        try {
            s = Files.readString(stat);
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        }
        // The command name in parentheses may hold spaces: count fields after its closing parenthesis.
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime and stime, fields 14 and 15
    }
}
