package jctr.kernel.oci;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * CPU settings.
 *
 * @param shares relative weight (v1 cpu.shares, 2..262144)
 * @param quota microseconds per period; -1 means unlimited
 * @param burst microseconds of accumulated quota allowed
 * @param period microseconds (1000..1000000)
 * @param cpus cpuset list, e.g. {@code 0-2,4}
 * @param mems memory node list
 * @param idle 1 makes the cgroup SCHED_IDLE (v2)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CpuResources(
        Long shares,
        Long quota,
        Long burst,
        Long period,
        Long realtimeRuntime,
        Long realtimePeriod,
        String cpus,
        String mems,
        Long idle) {
}
