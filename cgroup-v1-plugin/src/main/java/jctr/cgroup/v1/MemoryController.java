package jctr.cgroup.v1;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jctr.cgroup.v1.CgroupFiles.FileWrite;
import jctr.kernel.InvalidConfigException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.spi.ResourceStats;

/**
 * {@code memory}: limit, soft limit (reservation), memory+swap limit, TCP buffer limit, swappiness,
 * the OOM killer switch. As in runc, a limit, reservation or swap of 0 means "not set", and the kernel
 * memory limit ({@code memory.kernel}, deprecated by the OCI spec) is ignored: Linux 6.1 and later accept
 * writes to memory.kmem.limit_in_bytes and do nothing with them, and the cgroup-v2 driver ignores it too.
 */
final class MemoryController implements Controller {

    static final String LIMIT = "linux.resources.memory.limit";
    static final String RESERVATION = "linux.resources.memory.reservation";
    static final String SWAP = "linux.resources.memory.swap";
    static final String KERNEL_TCP = "linux.resources.memory.kernelTCP";
    static final String SWAPPINESS = "linux.resources.memory.swappiness";
    static final String DISABLE_OOM_KILLER = "linux.resources.memory.disableOOMKiller";
    static final String USE_HIERARCHY = "linux.resources.memory.useHierarchy";

    static final String LIMIT_FILE = "memory.limit_in_bytes";
    static final String MEMSW_FILE = "memory.memsw.limit_in_bytes";
    static final String SOFT_LIMIT_FILE = "memory.soft_limit_in_bytes";
    static final String KMEM_TCP_FILE = "memory.kmem.tcp.limit_in_bytes";
    static final String SWAPPINESS_FILE = "memory.swappiness";
    static final String OOM_CONTROL_FILE = "memory.oom_control";
    static final String USE_HIERARCHY_FILE = "memory.use_hierarchy";

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Optional<String> requestedField(LinuxResources resources) {
        MemoryResources m = resources.memory();
        if (m == null) {
            return Optional.empty();
        }
        if (set(m.limit())) {
            return Optional.of(LIMIT);
        }
        if (set(m.reservation())) {
            return Optional.of(RESERVATION);
        }
        if (set(m.swap())) {
            return Optional.of(SWAP);
        }
        if (m.kernelTCP() != null) {
            return Optional.of(KERNEL_TCP);
        }
        if (swappiness(m) != null) {
            return Optional.of(SWAPPINESS);
        }
        if (m.disableOOMKiller() != null) {
            return Optional.of(DISABLE_OOM_KILLER);
        }
        return m.useHierarchy() != null ? Optional.of(USE_HIERARCHY) : Optional.empty();
    }

    @Override
    public void validate(LinuxResources resources) {
        MemoryResources m = resources.memory();
        if (m == null) {
            return;
        }
        Checks.limitOrUnlimited(LIMIT, m.limit());
        Checks.limitOrUnlimited(RESERVATION, m.reservation());
        Checks.limitOrUnlimited(SWAP, m.swap());
        Checks.limitOrUnlimited(KERNEL_TCP, m.kernelTCP());
        if (m.swappiness() != null && m.swappiness() != -1) {
            Checks.range(SWAPPINESS, m.swappiness(), 0, 100);
        }
        if (set(m.swap()) && m.swap() != -1 && set(m.limit())) {
            if (m.limit() == -1) {
                throw Checks.invalid(SWAP, "a memory+swap limit (" + m.swap() + ") needs a memory limit, but "
                        + LIMIT + " is -1 (unlimited)");
            }
            if (m.swap() < m.limit()) {
                throw Checks.invalid(SWAP, "the memory+swap limit (" + m.swap()
                        + ") must be at least the memory limit (" + m.limit() + ")");
            }
        }
    }

    @Override
    public void precheck(Path dir, LinuxResources resources) {
        MemoryResources m = resources.memory();
        if (m == null) {
            return;
        }
        if (set(m.swap())) {
            Checks.requireFile(dir, MEMSW_FILE, SWAP, "swap accounting is off on this host (boot with swapaccount=1)");
        }
        if (m.kernelTCP() != null) {
            Checks.requireFile(dir, KMEM_TCP_FILE, KERNEL_TCP, "this kernel has no TCP buffer limits in cgroup v1");
        }
        if (swappiness(m) != null) {
            Checks.requireFile(dir, SWAPPINESS_FILE, SWAPPINESS, "this kernel has no per-cgroup swappiness");
        }
        if (Boolean.TRUE.equals(m.checkBeforeUpdate()) && set(m.limit()) && m.limit() != -1) {
            long usage = CgroupFiles.readLong(dir.resolve("memory.usage_in_bytes"), 0);
            if (m.limit() < usage) {
                throw new ResourceLimitException(LIMIT + ": " + m.limit() + " is below the cgroup's current memory usage ("
                        + usage + " bytes) and checkBeforeUpdate is set");
            }
        }
    }

    @Override
    public void apply(Path dir, LinuxResources resources) {
        MemoryResources m = resources.memory();
        if (m == null) {
            return;
        }
        // The kernel requires limit <= memory+swap limit at every step: writeAll finds the order.
        List<FileWrite> limits = new ArrayList<>();
        if (set(m.limit())) {
            limits.add(new FileWrite(LIMIT_FILE, Long.toString(m.limit()), LIMIT));
        }
        if (set(m.swap())) {
            limits.add(new FileWrite(MEMSW_FILE, Long.toString(m.swap()), SWAP));
        } else if (set(m.limit()) && m.limit() == -1 && CgroupFiles.has(dir, MEMSW_FILE)) {
            // runc: an unlimited memory limit without a swap setting lifts the memory+swap limit too,
            // which the kernel would otherwise refuse (limit above memory+swap).
            limits.add(new FileWrite(MEMSW_FILE, "-1", LIMIT));
        }
        CgroupFiles.writeAll(dir, limits);
        if (set(m.reservation())) {
            CgroupFiles.write(dir.resolve(SOFT_LIMIT_FILE), Long.toString(m.reservation()), RESERVATION);
        }
        if (m.kernelTCP() != null) {
            CgroupFiles.write(dir.resolve(KMEM_TCP_FILE), Long.toString(m.kernelTCP()), KERNEL_TCP);
        }
        if (swappiness(m) != null) {
            CgroupFiles.write(dir.resolve(SWAPPINESS_FILE), Long.toString(m.swappiness()), SWAPPINESS);
        }
        if (m.disableOOMKiller() != null) {
            CgroupFiles.write(dir.resolve(OOM_CONTROL_FILE), m.disableOOMKiller() ? "1" : "0", DISABLE_OOM_KILLER);
        }
        if (m.useHierarchy() != null) {
            try {
                CgroupFiles.write(dir.resolve(USE_HIERARCHY_FILE), m.useHierarchy() ? "1" : "0", USE_HIERARCHY);
            } catch (InvalidConfigException e) {
                throw new UnsupportedFeatureException(USE_HIERARCHY + ": this kernel always accounts memory "
                        + "hierarchically; memory.use_hierarchy cannot be turned off", e);
            }
        }
    }

    @Override
    public void stats(Path dir, StatsBuilder stats) {
        Map<String, Long> stat = CgroupFiles.readKeyValues(dir.resolve("memory.stat"));
        long cache = stat.getOrDefault("total_cache", stat.getOrDefault("cache", 0L));
        stats.memory = new ResourceStats.Memory(
                CgroupFiles.readLong(dir.resolve("memory.usage_in_bytes"), 0),
                CgroupFiles.readLong(dir.resolve("memory.max_usage_in_bytes"), 0),
                CgroupFiles.readLong(dir.resolve(LIMIT_FILE), -1),
                cache,
                CgroupFiles.readLong(dir.resolve("memory.memsw.usage_in_bytes"), 0),
                CgroupFiles.readLong(dir.resolve(MEMSW_FILE), -1),
                // With a memory+swap limit the kernel counts a hit against it in memsw.failcnt instead.
                CgroupFiles.readLong(dir.resolve("memory.failcnt"), 0)
                        + CgroupFiles.readLong(dir.resolve("memory.memsw.failcnt"), 0),
                stat);
    }

    /** OCI numbers where 0 means "not set", as runc reads them. */
    private static boolean set(Long value) {
        return value != null && value != 0;
    }

    /** Swappiness, or null when unset (null, or -1 as docker sends for "default"). */
    private static Long swappiness(MemoryResources m) {
        return m.swappiness() == null || m.swappiness() == -1 ? null : m.swappiness();
    }
}
