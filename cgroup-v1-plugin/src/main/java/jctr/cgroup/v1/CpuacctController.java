package jctr.cgroup.v1;

import java.nio.file.Path;
import java.util.Map;


/** {@code cpuacct}: no settings, only CPU time accounting (total, per CPU, user and system). */
final class CpuacctController implements Controller {

    /**
     * cpuacct.stat counts in USER_HZ ticks, which is 100 per second on every Linux architecture jctr
     * runs on (the kernel converts its internal HZ to this fixed unit for user space).
     */
    static final long NANOS_PER_USER_HZ_TICK = 10_000_000L;

    @Override
    public String name() {
        return "cpuacct";
    }

    @Override
    public void stats(Path dir, StatsBuilder stats) {
        stats.cpuTotal = CgroupFiles.readLong(dir.resolve("cpuacct.usage"), 0);
        stats.cpuPerCpu = CgroupFiles.readNumbers(dir.resolve("cpuacct.usage_percpu"));
        Map<String, Long> ticks = CgroupFiles.readKeyValues(dir.resolve("cpuacct.stat"));
        stats.cpuUser = ticks.getOrDefault("user", 0L) * NANOS_PER_USER_HZ_TICK;
        stats.cpuSystem = ticks.getOrDefault("system", 0L) * NANOS_PER_USER_HZ_TICK;
    }
}
