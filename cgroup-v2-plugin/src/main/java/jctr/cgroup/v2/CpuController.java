package jctr.cgroup.v2;

import java.util.ArrayList;
import java.util.List;

import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.LinuxResources;

import static jctr.cgroup.v2.Checks.invalid;
import static jctr.cgroup.v2.Checks.unsupported;

/**
 * {@code linux.resources.cpu} without the cpuset part: cpu.weight from v1 shares (runc's linear formula),
 * cpu.max from quota and period, cpu.max.burst, cpu.idle. Realtime group scheduling has no v2 interface.
 */
final class CpuController implements Controller {

    static final long MIN_SHARES = 2;
    static final long MAX_SHARES = 262144;
    static final long MIN_PERIOD = 1000;
    static final long MAX_PERIOD = 1_000_000;
    /** The kernel refuses a CFS quota below 1 ms. */
    static final long MIN_QUOTA = 1000;

    private static final String F = Checks.RESOURCES + ".cpu.";

    @Override
    public List<Write> translate(LinuxResources resources, CgroupView current) {
        CpuResources c = resources.cpu();
        if (c == null) {
            return List.of();
        }
        if (nonZero(c.realtimeRuntime()) || nonZero(c.realtimePeriod())) {
            throw unsupported(F + (nonZero(c.realtimeRuntime()) ? "realtimeRuntime" : "realtimePeriod"),
                    "cgroup v2 has no interface for realtime group scheduling");
        }
        List<Write> out = new ArrayList<>();
        if (nonZero(c.shares())) {
            long shares = c.shares();
            if (shares < MIN_SHARES || shares > MAX_SHARES) {
                throw invalid(F + "shares", "must be " + MIN_SHARES + ".." + MAX_SHARES + ", got " + shares);
            }
            out.add(new Write("cpu.weight", Long.toString(sharesToWeight(shares)), F + "shares"));
        }
        cpuMax(c, current, out);
        if (c.burst() != null) {
            if (c.burst() < 0) {
                throw invalid(F + "burst", "must not be negative, got " + c.burst());
            }
            out.add(new Write("cpu.max.burst", Long.toString(c.burst()), F + "burst"));
        }
        if (c.idle() != null) {
            if (c.idle() != 0 && c.idle() != 1) {
                throw invalid(F + "idle", "must be 0 or 1, got " + c.idle());
            }
            out.add(new Write("cpu.idle", Long.toString(c.idle()), F + "idle"));
        }
        return out;
    }

    /** runc's conversion of v1 cpu.shares (2..262144) to v2 cpu.weight (1..10000). */
    static long sharesToWeight(long shares) {
        return 1 + ((shares - 2) * 9999) / 262142;
    }

    /** The inverse of {@link #sharesToWeight}, exact up to the rounding of the integer division. */
    static long weightToShares(long weight) {
        return 2 + ((weight - 1) * 262142) / 9999;
    }

    private static void cpuMax(CpuResources c, CgroupView current, List<Write> out) {
        boolean quotaSet = nonZero(c.quota());
        boolean periodSet = nonZero(c.period());
        if (quotaSet && c.quota() != -1 && (c.quota() < MIN_QUOTA)) {
            throw invalid(F + "quota", "must be -1 (unlimited) or at least " + MIN_QUOTA + " µs, got " + c.quota());
        }
        if (periodSet && (c.period() < MIN_PERIOD || c.period() > MAX_PERIOD)) {
            throw invalid(F + "period", "must be " + MIN_PERIOD + ".." + MAX_PERIOD + " µs, got " + c.period());
        }
        if (!quotaSet && !periodSet) {
            return;
        }
        String quota;
        if (quotaSet) {
            quota = c.quota() == -1 ? "max" : Long.toString(c.quota());
        } else {
            // Only the period changes: keep the quota in force (cpu.max is "QUOTA PERIOD").
            quota = current.read("cpu.max").map(s -> s.split("\\s+")[0]).orElse("max");
        }
        out.add(new Write("cpu.max", periodSet ? quota + " " + c.period() : quota,
                F + (quotaSet ? "quota" : "period")));
    }

    private static boolean nonZero(Long value) {
        return value != null && value != 0;
    }
}
