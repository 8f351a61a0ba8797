package jctr.cgroup.v1;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import jctr.kernel.oci.LinuxResources;

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
    public Optional<String> requestedField(LinuxResources resources) {
        return Optional.empty();
    }

    @Override
    public void validate(LinuxResources resources) {
        // nothing to configure
    }

    @Override
    public void precheck(Path dir, LinuxResources resources) {
        // nothing to configure
    }

    @Override
    public void apply(Path dir, LinuxResources resources) {
        // nothing to configure
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
