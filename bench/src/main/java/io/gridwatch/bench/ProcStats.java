package io.gridwatch.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Memory and CPU of processes (from /proc) and of this JVM's threads, grouped by what they do. */
final class ProcStats {

    private static final double TICKS_PER_S = 100.0;

    private ProcStats() {
    }

    /** Resident set size now and at its peak, in MiB, or "-" for a process that is not there. */
    static String rss(long pid) {
        try {
            long rss = 0;
            long hwm = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("VmHWM:")) {
                    hwm = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return String.format(Locale.ROOT, "RSS %,d MiB (peak %,d MiB)", rss / 1024, hwm / 1024);
        } catch (IOException | RuntimeException e) {
            return "-";
        }
    }

    /** CPU seconds (user + system) a process has used so far. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_S;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * CPU seconds used so far by every process whose name is {@code comm} (e.g. {@code postgres}: the server and its
     * backends), including children they have reaped, so that a backend that has exited still counts.
     */
    static double cpuSecondsOfCommand(String comm) {
        double total = 0;
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                if (!d.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(d.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.equals(comm)) {
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        total += (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14])) / TICKS_PER_S;
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return total;
    }

    /** CPU seconds of the whole machine (user + nice + system + irq + softirq + steal), all cores. */
    static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + (f.length > 8 ? Long.parseLong(f[8]) : 0);
            return busy / TICKS_PER_S;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The pid of the first process whose command line contains {@code marker}. */
    static Optional<Long> pidOf(String marker) {
        // (ProcessHandle.Info drops the arguments of long command lines, such as the broker's class path)
        return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(pid -> {
            try {
                return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), java.nio.charset.StandardCharsets.UTF_8)
                        .replace('\0', ' ').contains(marker);
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }).findFirst();
    }

    /** "load average …" as /proc/loadavg has it, printed beside figures taken on a shared machine. */
    static String loadAverage() {
        try {
            return "load average " + Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "load average unknown";
        }
    }

    /** Heap in use after a GC, and the heap's size, in MiB. */
    static String heap() {
        MemoryMXBean m = ManagementFactory.getMemoryMXBean();
        System.gc();
        long used = m.getHeapMemoryUsage().getUsed() >> 20;
        long committed = m.getHeapMemoryUsage().getCommitted() >> 20;
        long max = m.getHeapMemoryUsage().getMax() >> 20;
        return String.format(Locale.ROOT, "heap %,d MiB live after GC (committed %,d, max %,d)", used, committed, max);
    }

    /** CPU nanoseconds of this JVM's live threads, summed by the group their name puts them in. */
    static Map<String, Long> threadCpu(Map<String, String> groups) {
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new TreeMap<>();
        for (long id : t.getAllThreadIds()) {
            var info = t.getThreadInfo(id);
            long cpu = t.getThreadCpuTime(id);
            if (info == null || cpu < 0) {
                continue;
            }
            String group = "other";
            for (Map.Entry<String, String> g : groups.entrySet()) {
                if (info.getThreadName().contains(g.getKey())) {
                    group = g.getValue();
                    break;
                }
            }
            out.merge(group, cpu, Long::sum);
        }
        return out;
    }

    /** The difference of two {@link #threadCpu} samples as "group 1.23 s (45 %), …" over {@code seconds}. */
    static String threadCpuDelta(Map<String, Long> before, Map<String, Long> after, double seconds) {
        List<Map.Entry<String, Long>> rows = new ArrayList<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            rows.add(Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)));
        }
        rows.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Long> r : rows) {
            if (r.getValue() < 10_000_000L) {
                continue;
            }
            b.append(String.format(Locale.ROOT, "%n      %-28s %7.1f s  %5.0f %% of a core", r.getKey(), r.getValue() / 1e9,
                    100.0 * r.getValue() / 1e9 / seconds));
        }
        return b.toString();
    }

    static Map<String, String> groups(String... nameAndGroup) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndGroup.length; i += 2) {
            m.put(nameAndGroup[i], nameAndGroup[i + 1]);
        }
        return m;
    }
}
