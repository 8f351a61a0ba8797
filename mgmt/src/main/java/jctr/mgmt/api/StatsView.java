package jctr.mgmt.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jctr.kernel.KernelException;
import jctr.kernel.spi.ResourceStats;
import jctr.mgmt.engine.Container;
import jctr.mgmt.engine.Engine;

/** A container's resource usage in Docker's stats JSON, from the resource driver's {@link ResourceStats}. */
final class StatsView {

    /** Clock ticks per second of /proc/stat (USER_HZ, 100 on Linux). */
    private static final long USER_HZ = 100;

    private StatsView() {
    }

    static Map<String, Object> sample(Engine engine, Container c, Map<String, Object> previous) {
        ResourceStats s = null;
        if (engine.containers().running(c.id())) {
            try {
                s = engine.containers().stats(c.id());
            } catch (KernelException e) {
                s = null; // stopped meanwhile, or no resource driver: zeros, as Docker shows for a stopped container
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("read", Instant.now().toString());
        m.put("preread", previous == null ? ContainerViews.ZERO_TIME : previous.get("read"));
        m.put("pids_stats", s == null || s.pids() == null ? Map.of()
                : Map.of("current", s.pids().current(), "limit", s.pids().limit() == 0 ? Long.MAX_VALUE : s.pids().limit()));
        m.put("blkio_stats", blkio(s));
        m.put("num_procs", 0);
        m.put("storage_stats", Map.of());
        m.put("cpu_stats", cpu(s));
        m.put("precpu_stats", previous == null ? cpu(null) : previous.get("cpu_stats"));
        m.put("memory_stats", memory(s));
        m.put("name", c.name());
        m.put("id", c.id());
        m.put("networks", Map.of());
        return m;
    }

    private static Map<String, Object> cpu(ResourceStats s) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("total_usage", s == null || s.cpu() == null ? 0 : s.cpu().total());
        usage.put("percpu_usage", s == null || s.cpu() == null ? List.of() : s.cpu().perCpu());
        usage.put("usage_in_kernelmode", s == null || s.cpu() == null ? 0 : s.cpu().system());
        usage.put("usage_in_usermode", s == null || s.cpu() == null ? 0 : s.cpu().user());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu_usage", usage);
        m.put("system_cpu_usage", s == null ? 0 : systemCpuNanos());
        m.put("online_cpus", Runtime.getRuntime().availableProcessors());
        m.put("throttling_data", Map.of(
                "periods", s == null || s.cpu() == null ? 0 : s.cpu().periods(),
                "throttled_periods", s == null || s.cpu() == null ? 0 : s.cpu().throttledPeriods(),
                "throttled_time", s == null || s.cpu() == null ? 0 : s.cpu().throttledTime()));
        return m;
    }

    private static Map<String, Object> memory(ResourceStats s) {
        if (s == null || s.memory() == null) {
            return Map.of();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("usage", s.memory().usage());
        m.put("max_usage", s.memory().maxUsage());
        m.put("stats", s.memory().raw());
        m.put("failcnt", s.memory().failcnt());
        long limit = s.memory().limit();
        m.put("limit", limit <= 0 || limit == Long.MAX_VALUE ? hostMemory() : limit);
        return m;
    }

    private static Map<String, Object> blkio(ResourceStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("io_service_bytes_recursive", s == null || s.blockIo() == null ? null : entries(s.blockIo().serviceBytes()));
        m.put("io_serviced_recursive", s == null || s.blockIo() == null ? null : entries(s.blockIo().serviced()));
        return m;
    }

    private static List<Map<String, Object>> entries(List<ResourceStats.BlkioEntry> list) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ResourceStats.BlkioEntry e : list) {
            out.add(Map.of("major", e.major(), "minor", e.minor(), "op", e.op().toLowerCase(java.util.Locale.ROOT),
                    "value", e.value()));
        }
        return out;
    }

    /** The host's CPU time in ns (/proc/stat), Docker's {@code system_cpu_usage}. */
    private static long systemCpuNanos() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            String[] f = first.trim().split("\\s+");
            long ticks = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                ticks += Long.parseLong(f[i]);
            }
            return ticks * (1_000_000_000L / USER_HZ);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long hostMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            // unknown
        }
        return 0;
    }
}
