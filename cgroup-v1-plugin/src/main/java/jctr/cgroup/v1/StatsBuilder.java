package jctr.cgroup.v1;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jctr.kernel.spi.ResourceStats;

/**
 * Collects what each controller reads into one {@link ResourceStats}. Parts no controller fills keep the
 * record's "unknown" values: 0 for counters, -1 for limits.
 */
final class StatsBuilder {

    ResourceStats.Memory memory = new ResourceStats.Memory(0, 0, -1, 0, 0, -1, 0, Map.of());
    long cpuTotal;
    List<Long> cpuPerCpu = List.of();
    long cpuUser;
    long cpuSystem;
    long cpuPeriods;
    long cpuThrottledPeriods;
    long cpuThrottledTime;
    ResourceStats.Pids pids = new ResourceStats.Pids(0, -1);
    ResourceStats.BlockIo blockIo = new ResourceStats.BlockIo(List.of(), List.of());
    final Map<String, ResourceStats.Hugetlb> hugetlb = new LinkedHashMap<>();

    ResourceStats build() {
        return new ResourceStats(Instant.now(), memory,
                new ResourceStats.Cpu(cpuTotal, cpuPerCpu, cpuUser, cpuSystem, cpuPeriods, cpuThrottledPeriods,
                        cpuThrottledTime),
                pids, blockIo, hugetlb);
    }
}
