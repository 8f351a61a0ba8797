package jctr.cgroup.v1;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jctr.cgroup.v1.CgroupFiles.FileWrite;
import jctr.kernel.KernelException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.LinuxResources;

/**
 * {@code cpu}: CFS shares, quota, period and burst, real-time runtime and period, and SCHED_IDLE
 * ({@code cpu.idle}, which Linux 5.15 and later have in v1 too). As in runc, shares, quota, period and
 * the real-time values of 0 mean "not set". {@code cpus}/{@code mems} belong to {@link CpusetController}.
 */
final class CpuController implements Controller {

    static final String SHARES = "linux.resources.cpu.shares";
    static final String QUOTA = "linux.resources.cpu.quota";
    static final String PERIOD = "linux.resources.cpu.period";
    static final String BURST = "linux.resources.cpu.burst";
    static final String RT_RUNTIME = "linux.resources.cpu.realtimeRuntime";
    static final String RT_PERIOD = "linux.resources.cpu.realtimePeriod";
    static final String IDLE = "linux.resources.cpu.idle";

    static final long MIN_SHARES = 2;
    static final long MAX_SHARES = 262144;
    static final long MIN_PERIOD = 1000;
    static final long MAX_PERIOD = 1000000;
    /** The kernel refuses quotas under 1 ms. */
    static final long MIN_QUOTA = 1000;

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Optional<String> requestedField(LinuxResources resources) {
        CpuResources c = resources.cpu();
        if (c == null) {
            return Optional.empty();
        }
        if (set(c.shares())) {
            return Optional.of(SHARES);
        }
        if (set(c.quota())) {
            return Optional.of(QUOTA);
        }
        if (set(c.period())) {
            return Optional.of(PERIOD);
        }
        if (c.burst() != null) {
            return Optional.of(BURST);
        }
        if (set(c.realtimeRuntime())) {
            return Optional.of(RT_RUNTIME);
        }
        if (set(c.realtimePeriod())) {
            return Optional.of(RT_PERIOD);
        }
        return c.idle() != null ? Optional.of(IDLE) : Optional.empty();
    }

    @Override
    public void validate(LinuxResources resources) {
        CpuResources c = resources.cpu();
        if (c == null) {
            return;
        }
        if (set(c.shares())) {
            Checks.range(SHARES, c.shares(), MIN_SHARES, MAX_SHARES);
        }
        if (set(c.quota()) && c.quota() != -1) {
            if (c.quota() < 0) {
                throw Checks.invalid(QUOTA, "must be -1 (unlimited) or at least " + MIN_QUOTA + " microseconds, got "
                        + c.quota());
            }
            Checks.range(QUOTA, c.quota(), MIN_QUOTA, Long.MAX_VALUE / 1000);
        }
        if (set(c.period())) {
            Checks.range(PERIOD, c.period(), MIN_PERIOD, MAX_PERIOD);
        }
        Checks.notNegative(BURST, c.burst());
        Checks.limitOrUnlimited(RT_RUNTIME, c.realtimeRuntime());
        Checks.notNegative(RT_PERIOD, c.realtimePeriod());
        if (set(c.realtimeRuntime()) && set(c.realtimePeriod()) && c.realtimeRuntime() > c.realtimePeriod()) {
            throw Checks.invalid(RT_RUNTIME, "the real-time runtime (" + c.realtimeRuntime()
                    + ") must not exceed the real-time period (" + c.realtimePeriod() + ")");
        }
        Checks.range(IDLE, c.idle(), 0, 1);
    }

    @Override
    public void precheck(Path dir, LinuxResources resources) {
        CpuResources c = resources.cpu();
        if (c == null) {
            return;
        }
        if (set(c.shares())) {
            Checks.requireFile(dir, "cpu.shares", SHARES, "this kernel has no CFS group scheduling");
        }
        if (set(c.quota()) || set(c.period())) {
            Checks.requireFile(dir, "cpu.cfs_quota_us", set(c.quota()) ? QUOTA : PERIOD,
                    "this kernel has no CFS bandwidth control (CONFIG_CFS_BANDWIDTH)");
        }
        if (c.burst() != null && c.burst() != 0) {
            Checks.requireFile(dir, "cpu.cfs_burst_us", BURST, "this kernel has no CFS burst (Linux 5.14 and later)");
        }
        if (set(c.realtimeRuntime()) || set(c.realtimePeriod())) {
            Checks.requireFile(dir, "cpu.rt_runtime_us", set(c.realtimeRuntime()) ? RT_RUNTIME : RT_PERIOD,
                    "this kernel has no real-time group scheduling (CONFIG_RT_GROUP_SCHED)");
        }
        if (c.idle() != null && c.idle() != 0) {
            Checks.requireFile(dir, "cpu.idle", IDLE, "this kernel has no SCHED_IDLE cgroups (Linux 5.15 and later)");
        }
    }

    @Override
    public void apply(Path dir, LinuxResources resources) {
        CpuResources c = resources.cpu();
        if (c == null) {
            return;
        }
        if (set(c.shares())) {
            CgroupFiles.write(dir.resolve("cpu.shares"), Long.toString(c.shares()), SHARES);
        }
        // Period, quota and burst constrain each other (burst <= quota, the parent's bandwidth): writeAll
        // finds an order the kernel accepts.
        List<FileWrite> bandwidth = new ArrayList<>();
        if (set(c.period())) {
            bandwidth.add(new FileWrite("cpu.cfs_period_us", Long.toString(c.period()), PERIOD));
        }
        if (set(c.quota())) {
            bandwidth.add(new FileWrite("cpu.cfs_quota_us", Long.toString(c.quota()), QUOTA));
        }
        if (c.burst() != null && (c.burst() != 0 || CgroupFiles.has(dir, "cpu.cfs_burst_us"))) {
            bandwidth.add(new FileWrite("cpu.cfs_burst_us", Long.toString(c.burst()), BURST));
        }
        CgroupFiles.writeAll(dir, bandwidth);
        List<FileWrite> realtime = new ArrayList<>();
        if (set(c.realtimePeriod())) {
            realtime.add(new FileWrite("cpu.rt_period_us", Long.toString(c.realtimePeriod()), RT_PERIOD));
        }
        if (set(c.realtimeRuntime())) {
            realtime.add(new FileWrite("cpu.rt_runtime_us", Long.toString(c.realtimeRuntime()), RT_RUNTIME));
        }
        try {
            CgroupFiles.writeAll(dir, realtime);
        } catch (KernelException e) {
            if (e.category() != KernelException.Category.INVALID_ARGUMENT) {
                throw e;
            }
            // The usual cause: real-time time is handed down the tree and the parent has none to give.
            throw new ResourceLimitException(e.getMessage() + "; the parent cgroup's cpu.rt_runtime_us must "
                    + "leave room for this one (v1 hands real-time time down the tree)", e);
        }
        if (c.idle() != null && (c.idle() != 0 || CgroupFiles.has(dir, "cpu.idle"))) {
            CgroupFiles.write(dir.resolve("cpu.idle"), Long.toString(c.idle()), IDLE);
        }
    }

    @Override
    public void stats(Path dir, StatsBuilder stats) {
        Map<String, Long> stat = CgroupFiles.readKeyValues(dir.resolve("cpu.stat"));
        stats.cpuPeriods = stat.getOrDefault("nr_periods", 0L);
        stats.cpuThrottledPeriods = stat.getOrDefault("nr_throttled", 0L);
        stats.cpuThrottledTime = stat.getOrDefault("throttled_time", 0L);
    }

    private static boolean set(Long value) {
        return value != null && value != 0;
    }
}
