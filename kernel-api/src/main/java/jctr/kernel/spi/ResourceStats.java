package jctr.kernel.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of a cgroup's usage, shaped after runc's {@code events --stats} output. Values the
 * driver cannot read on this host are 0 (counters) or -1 (limits: unknown), never invented.
 * Byte values are bytes, times are nanoseconds.
 */
public record ResourceStats(
        Instant timestamp,
        Memory memory,
        Cpu cpu,
        Pids pids,
        BlockIo blockIo,
        Map<String, Hugetlb> hugetlb) {

    public ResourceStats {
        hugetlb = hugetlb == null ? Map.of() : Map.copyOf(hugetlb);
    }

    /**
     * Memory usage.
     *
     * @param usage current usage (v1 memory.usage_in_bytes, v2 memory.current)
     * @param maxUsage peak usage (v1 max_usage_in_bytes, v2 memory.peak where present)
     * @param limit the limit; {@code Long.MAX_VALUE} when unlimited
     * @param cache page cache (v1 stat cache, v2 stat file)
     * @param swapUsage swap usage, or memory+swap on v1
     * @param swapLimit swap (v2) or memory+swap (v1) limit; {@code Long.MAX_VALUE} when unlimited
     * @param failcnt times the limit was hit (v1 failcnt, v2 memory.events max)
     * @param raw the driver's raw memory.stat keys and values
     */
    public record Memory(long usage, long maxUsage, long limit, long cache, long swapUsage, long swapLimit,
                         long failcnt, Map<String, Long> raw) {
        public Memory {
            raw = raw == null ? Map.of() : Map.copyOf(raw);
        }
    }

    /**
     * CPU usage.
     *
     * @param perCpu usage per CPU in ns (v1 cpuacct.usage_percpu; empty on v2)
     */
    public record Cpu(long total, List<Long> perCpu, long user, long system, long periods,
                      long throttledPeriods, long throttledTime) {
        public Cpu {
            perCpu = perCpu == null ? List.of() : List.copyOf(perCpu);
        }
    }

    /** Task count and limit ({@code 0} = no limit). */
    public record Pids(long current, long limit) {
    }

    /** Block I/O counters per device and operation. */
    public record BlockIo(List<BlkioEntry> serviceBytes, List<BlkioEntry> serviced) {
        public BlockIo {
            serviceBytes = serviceBytes == null ? List.of() : List.copyOf(serviceBytes);
            serviced = serviced == null ? List.of() : List.copyOf(serviced);
        }
    }

    /** One counter: device, operation ({@code Read}, {@code Write}, {@code Total}, ...) and value. */
    public record BlkioEntry(long major, long minor, String op, long value) {
    }

    /** hugetlb usage for one page size. */
    public record Hugetlb(long usage, long maxUsage, long failcnt) {
    }
}
