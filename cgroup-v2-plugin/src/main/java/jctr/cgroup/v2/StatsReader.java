package jctr.cgroup.v2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jctr.kernel.spi.ResourceStats;

/**
 * Reads a cgroup's usage into {@link ResourceStats}: memory.current/peak/max/stat/events and the swap files,
 * cpu.stat, pids.current/max, io.stat and hugetlb.SIZE.current/events. Missing files give 0 for counters
 * and -1 for limits.
 */
final class StatsReader {

    private static final long NS_PER_US = 1000;

    private StatsReader() {
    }

    static ResourceStats read(CgroupDir dir) {
        return new ResourceStats(Instant.now(), memory(dir), cpu(dir), pids(dir), io(dir), hugetlb(dir));
    }

    private static ResourceStats.Memory memory(CgroupDir dir) {
        Map<String, Long> stat = dir.readKeyed("memory.stat");
        return new ResourceStats.Memory(
                dir.readNumber("memory.current").orElse(0L),
                dir.readNumber("memory.peak").orElse(0L),
                limit(dir, "memory.max"),
                stat.getOrDefault("file", 0L),
                dir.readNumber("memory.swap.current").orElse(0L),
                limit(dir, "memory.swap.max"),
                dir.readKeyed("memory.events").getOrDefault("max", 0L),
                stat);
    }

    private static ResourceStats.Cpu cpu(CgroupDir dir) {
        Map<String, Long> stat = dir.readKeyed("cpu.stat");
        return new ResourceStats.Cpu(
                stat.getOrDefault("usage_usec", 0L) * NS_PER_US,
                List.of(),
                stat.getOrDefault("user_usec", 0L) * NS_PER_US,
                stat.getOrDefault("system_usec", 0L) * NS_PER_US,
                stat.getOrDefault("nr_periods", 0L),
                stat.getOrDefault("nr_throttled", 0L),
                stat.getOrDefault("throttled_usec", 0L) * NS_PER_US);
    }

    private static ResourceStats.Pids pids(CgroupDir dir) {
        long max = dir.readNumber("pids.max").orElse(-1L);
        return new ResourceStats.Pids(dir.readNumber("pids.current").orElse(0L), max == -1 ? 0 : max);
    }

    /** io.stat: one line per device, {@code MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=..}. */
    private static ResourceStats.BlockIo io(CgroupDir dir) {
        List<ResourceStats.BlkioEntry> bytes = new ArrayList<>();
        List<ResourceStats.BlkioEntry> ops = new ArrayList<>();
        dir.read("io.stat").ifPresent(text -> text.lines().forEach(line -> {
            String[] fields = line.trim().split("\\s+");
            String[] dev = fields[0].split(":");
            if (dev.length != 2) {
                return;
            }
            long major = Long.parseLong(dev[0]);
            long minor = Long.parseLong(dev[1]);
            for (int i = 1; i < fields.length; i++) {
                String[] kv = fields[i].split("=");
                if (kv.length != 2) {
                    continue;
                }
                long value = Long.parseLong(kv[1]);
                switch (kv[0]) {
                    case "rbytes" -> bytes.add(new ResourceStats.BlkioEntry(major, minor, "Read", value));
                    case "wbytes" -> bytes.add(new ResourceStats.BlkioEntry(major, minor, "Write", value));
                    case "dbytes" -> bytes.add(new ResourceStats.BlkioEntry(major, minor, "Discard", value));
                    case "rios" -> ops.add(new ResourceStats.BlkioEntry(major, minor, "Read", value));
                    case "wios" -> ops.add(new ResourceStats.BlkioEntry(major, minor, "Write", value));
                    case "dios" -> ops.add(new ResourceStats.BlkioEntry(major, minor, "Discard", value));
                    default -> {
                        // other keys (cost.*, latency) are not counters of the record
                    }
                }
            }
        }));
        return new ResourceStats.BlockIo(bytes, ops);
    }

    private static Map<String, ResourceStats.Hugetlb> hugetlb(CgroupDir dir) {
        Map<String, ResourceStats.Hugetlb> out = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.path(), "hugetlb.*.current")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String size = name.substring("hugetlb.".length(), name.length() - ".current".length());
                if (size.contains(".")) {
                    continue; // hugetlb.SIZE.rsvd.current
                }
                out.put(size, new ResourceStats.Hugetlb(
                        dir.readNumber(name).orElse(0L), 0,
                        dir.readKeyed("hugetlb." + size + ".events").getOrDefault("max", 0L)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing hugetlb files of " + dir.path(), e);
        }
        return out;
    }

    private static long limit(CgroupDir dir, String file) {
        return dir.readNumber(file).map(v -> v == -1 ? Long.MAX_VALUE : v).orElse(-1L);
    }
}
