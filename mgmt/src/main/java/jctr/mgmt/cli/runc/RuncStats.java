package jctr.mgmt.cli.runc;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;

import jctr.kernel.spi.ResourceStats;

/**
 * runc's {@code events} JSON: {@code {"type":"stats","id":...,"data":{...}}} with runc's field names
 * ({@code cpu.usage.total}, {@code memory.usage.limit}, {@code pids.current}, {@code blkio.ioServiceBytesRecursive},
 * {@code hugetlb.<size>.usage} ...) and its omissions (zero counters are left out where runc omits them).
 * An unlimited limit is {@code 2^64-1}, as runc prints cgroup v2's "max".
 */
final class RuncStats {

    private static final BigInteger UNLIMITED = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private RuncStats() {
    }

    /** One line of {@code events} output. */
    record Event(String type, String id, @JsonInclude(Include.NON_NULL) Object data) {
    }

    record Stats(Cpu cpu, Memory memory, Pids pids, Blkio blkio, Map<String, Hugetlb> hugetlb) {
    }

    record Cpu(CpuUsage usage, Throttling throttling) {
    }

    record CpuUsage(@JsonInclude(Include.NON_DEFAULT) long total, @JsonInclude(Include.NON_EMPTY) List<Long> percpu,
                    long kernel, long user) {
    }

    record Throttling(@JsonInclude(Include.NON_DEFAULT) long periods,
                      @JsonInclude(Include.NON_DEFAULT) long throttledPeriods,
                      @JsonInclude(Include.NON_DEFAULT) long throttledTime) {
    }

    record Memory(@JsonInclude(Include.NON_DEFAULT) long cache, MemoryEntry usage, MemoryEntry swap,
                  @JsonInclude(Include.NON_EMPTY) Map<String, Long> raw) {
    }

    record MemoryEntry(Number limit, @JsonInclude(Include.NON_DEFAULT) long usage,
                       @JsonInclude(Include.NON_DEFAULT) long max, long failcnt) {
    }

    record Pids(@JsonInclude(Include.NON_DEFAULT) long current, @JsonInclude(Include.NON_DEFAULT) long limit) {
    }

    record Blkio(@JsonInclude(Include.NON_EMPTY) List<BlkioEntry> ioServiceBytesRecursive,
                 @JsonInclude(Include.NON_EMPTY) List<BlkioEntry> ioServicedRecursive) {
    }

    record BlkioEntry(@JsonInclude(Include.NON_DEFAULT) long major, @JsonInclude(Include.NON_DEFAULT) long minor,
                      @JsonInclude(Include.NON_EMPTY) String op, @JsonInclude(Include.NON_DEFAULT) long value) {
    }

    record Hugetlb(@JsonInclude(Include.NON_DEFAULT) long usage, @JsonInclude(Include.NON_DEFAULT) long max,
                   long failcnt) {
    }

    static Event stats(String id, ResourceStats s) {
        return new Event("stats", id, of(s));
    }

    static Stats of(ResourceStats s) {
        ResourceStats.Cpu c = s.cpu();
        Cpu cpu = c == null ? new Cpu(new CpuUsage(0, List.of(), 0, 0), new Throttling(0, 0, 0))
                : new Cpu(new CpuUsage(c.total(), c.perCpu(), c.system(), c.user()),
                        new Throttling(c.periods(), c.throttledPeriods(), c.throttledTime()));
        ResourceStats.Memory m = s.memory();
        Memory memory = m == null ? new Memory(0, new MemoryEntry(0, 0, 0, 0), new MemoryEntry(0, 0, 0, 0), Map.of())
                : new Memory(m.cache(), new MemoryEntry(limit(m.limit()), m.usage(), m.maxUsage(), m.failcnt()),
                        new MemoryEntry(limit(m.swapLimit()), m.swapUsage(), 0, 0), m.raw());
        Pids pids = s.pids() == null ? new Pids(0, 0) : new Pids(s.pids().current(), s.pids().limit());
        Blkio blkio = s.blockIo() == null ? new Blkio(List.of(), List.of())
                : new Blkio(entries(s.blockIo().serviceBytes()), entries(s.blockIo().serviced()));
        Map<String, Hugetlb> hugetlb = new LinkedHashMap<>();
        s.hugetlb().forEach((size, h) -> hugetlb.put(size, new Hugetlb(h.usage(), h.maxUsage(), h.failcnt())));
        return new Stats(cpu, memory, pids, blkio, hugetlb);
    }

    private static List<BlkioEntry> entries(List<ResourceStats.BlkioEntry> in) {
        return in.stream().map(e -> new BlkioEntry(e.major(), e.minor(), e.op(), e.value())).toList();
    }

    /** Long.MAX_VALUE (unlimited) as runc's 2^64-1; -1 (unknown) as 0. */
    static Number limit(long value) {
        if (value == Long.MAX_VALUE) {
            return UNLIMITED;
        }
        return Math.max(value, 0);
    }
}
