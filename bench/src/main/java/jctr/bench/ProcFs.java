package jctr.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What /proc says about processes: the memory, descriptors and threads of one, and the process tree. Processes
 * exit while they are read: whatever vanished is skipped, never an error.
 */
final class ProcFs {

    private ProcFs() {
    }

    /**
     * A process's footprint.
     *
     * @param rssKiB resident set (VmRSS)
     * @param pssKiB proportional set (smaps_rollup Pss): shared pages divided among their users
     * @param fds open descriptors
     * @param threads threads
     */
    record Footprint(long rssKiB, long pssKiB, long fds, long threads) {
        static final Footprint ZERO = new Footprint(0, 0, 0, 0);

        Footprint plus(Footprint o) {
            return new Footprint(rssKiB + o.rssKiB, pssKiB + o.pssKiB, fds + o.fds, threads + o.threads);
        }
    }

    /** {@code pid}'s footprint, or empty when it has exited. */
    static Optional<Footprint> footprint(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            List<String> status = Files.readAllLines(proc.resolve("status"));
            long rss = field(status, "VmRSS:");
            long threads = field(status, "Threads:");
            long pss = field(Files.readAllLines(proc.resolve("smaps_rollup")), "Pss:");
            long fds;
            try (Stream<Path> s = Files.list(proc.resolve("fd"))) {
                fds = s.count();
            }
            return Optional.of(new Footprint(rss, pss, fds, threads));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long field(List<String> lines, String name) {
        return lines.stream().filter(l -> l.startsWith(name)).mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                .findFirst().orElse(0);
    }

    /** Every process's parent, as it is now. */
    static Map<Long, Long> parents() {
        Map<Long, Long> out = new HashMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(Long.parseLong(p.getFileName().toString()), Long.parseLong(f[1]));
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** {@code roots} and all their descendants, per {@code parents}. */
    static Set<Long> withDescendants(Set<Long> roots, Map<Long, Long> parents) {
        Map<Long, List<Long>> children = new HashMap<>();
        parents.forEach((child, parent) -> children.computeIfAbsent(parent, k -> new ArrayList<>()).add(child));
        Set<Long> out = new LinkedHashSet<>();
        Deque<Long> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            long pid = todo.pop();
            if (out.add(pid)) {
                todo.addAll(children.getOrDefault(pid, List.of()));
            }
        }
        return out;
    }

    /** The file {@code pid} runs (/proc/PID/exe), or empty for kernel threads and exited processes. */
    static Optional<Path> exe(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The pid namespace of {@code pid} ("pid:[inode]"), or empty when it has exited. */
    static Optional<String> pidNamespace(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "pid")).toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Every process whose executable lies under {@code dir}. */
    static Set<Long> runningFrom(Path dir, Map<Long, Long> parents) {
        Set<Long> out = new LinkedHashSet<>();
        for (long pid : parents.keySet()) {
            exe(pid).filter(e -> e.startsWith(dir)).ifPresent(e -> out.add(pid));
        }
        return out;
    }
}
