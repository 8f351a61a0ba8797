package jctr.cgroup.v2;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

import jctr.kernel.ResourceLimitException;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;

import static jctr.cgroup.v2.Checks.invalid;
import static jctr.cgroup.v2.Checks.unsupported;

/**
 * {@code linux.resources.memory}: memory.max (limit), memory.low (reservation), memory.swap.max
 * (OCI swap is memory+swap, v2 wants swap alone: swap - limit, as runc converts). Settings v2 lacks are
 * refused unless they ask for what v2 does anyway (see docs/cgroups.md).
 */
final class MemoryController implements Controller {

    private static final String F = Checks.RESOURCES + ".memory.";

    private final Supplier<OptionalInt> globalSwappiness;

    /** @param globalSwappiness the host's vm.swappiness, which every v2 cgroup follows */
    MemoryController(Supplier<OptionalInt> globalSwappiness) {
        this.globalSwappiness = globalSwappiness;
    }

    @Override
    public List<Write> translate(LinuxResources resources, CgroupView current) {
        MemoryResources m = resources.memory();
        if (m == null) {
            return List.of();
        }
        checkUnsupported(m);
        List<Write> out = new ArrayList<>();
        long effectiveLimit = m.limit() != null ? m.limit()
                : current.read("memory.max").flatMap(Checks::parseLimit).orElse(0L);
        if (m.swap() != null || (m.limit() != null && m.limit() == -1)) {
            swapV2(m.swap() == null ? 0 : m.swap(), effectiveLimit).ifPresent(v ->
                    out.add(new Write("memory.swap.max", v, F + "swap")));
        }
        Checks.limit(F + "limit", m.limit()).ifPresent(v -> {
            if (Boolean.TRUE.equals(m.checkBeforeUpdate()) && m.limit() > 0) {
                long usage = current.read("memory.current").flatMap(Checks::parseLimit).orElse(0L);
                if (usage > m.limit()) {
                    throw new ResourceLimitException(F + "limit: " + m.limit() + " bytes is below the current usage of "
                            + usage + " bytes and checkBeforeUpdate is set");
                }
            }
            out.add(new Write("memory.max", v, F + "limit"));
        });
        Checks.limit(F + "reservation", m.reservation()).ifPresent(v ->
                out.add(new Write("memory.low", v, F + "reservation")));
        return out;
    }

    /**
     * runc's conversion of the OCI memory+swap limit into memory.swap.max: -1 is unlimited, 0 unset; equal
     * to the memory limit means no swap; an unlimited memory limit with unset swap means unlimited swap.
     */
    static Optional<String> swapV2(long memorySwap, long memory) {
        if (memory == -1 && memorySwap == 0) {
            return Optional.of("max");
        }
        if (memorySwap == -1) {
            return Optional.of("max");
        }
        if (memorySwap == 0) {
            return Optional.empty();
        }
        if (memorySwap < -1) {
            throw invalid(F + "swap", "must be -1 (unlimited) or a positive number, got " + memorySwap);
        }
        if (memory == 0 || memory == -1) {
            throw invalid(F + "swap", "a swap limit needs a memory limit (memory.limit is "
                    + (memory == 0 ? "unset" : "unlimited") + ")");
        }
        if (memory < 0) {
            throw invalid(F + "limit", "must be -1 (unlimited) or a positive number, got " + memory);
        }
        if (memorySwap < memory) {
            throw invalid(F + "swap", "memory+swap (" + memorySwap + ") must be at least the memory limit ("
                    + memory + ")");
        }
        return Optional.of(Long.toString(memorySwap - memory));
    }

    private void checkUnsupported(MemoryResources m) {
        if (m.swappiness() != null) {
            long s = m.swappiness();
            if (s < 0 || s > 100) {
                throw invalid(F + "swappiness", "must be 0..100, got " + s);
            }
            OptionalInt global = globalSwappiness.get();
            if (global.isEmpty() || global.getAsInt() != s) {
                throw unsupported(F + "swappiness", "cgroup v2 has no per-cgroup swappiness; every cgroup follows "
                        + "vm.swappiness" + (global.isPresent() ? " (" + global.getAsInt() + " here)" : "")
                        + ", so only that value can be asked for");
            }
        }
        if (m.kernelTCP() != null && m.kernelTCP() != 0) {
            throw unsupported(F + "kernelTCP", "cgroup v2 charges TCP buffers to memory.max and has no separate limit");
        }
        if (Boolean.TRUE.equals(m.disableOOMKiller())) {
            throw unsupported(F + "disableOOMKiller", "cgroup v2 cannot disable the OOM killer for a cgroup");
        }
        if (Boolean.FALSE.equals(m.useHierarchy())) {
            throw unsupported(F + "useHierarchy", "cgroup v2 is always hierarchical");
        }
        // m.kernel() is ignored, as runc does: the OCI spec deprecates it and no current kernel enforces it.
    }
}
