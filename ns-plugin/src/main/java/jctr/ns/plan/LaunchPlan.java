package jctr.ns.plan;

import java.util.List;
import java.util.Objects;

import jctr.kernel.spi.Stdio;

/**
 * Everything needed to launch one container process, as plain data: the operations the native stage
 * runs in order, and the steps the Java parent takes while the child waits at {@link Op.SyncParent}.
 *
 * @param ops the operations, in execution order; the last one is {@link Op.Exec}
 * @param uidMap text for {@code /proc/PID/uid_map} ("inside outside count" lines), empty when no new user namespace
 * @param gidMap text for {@code /proc/PID/gid_map}, empty when no new user namespace
 * @param procsFiles {@code cgroup.procs} files the parent writes the child's host pid into: those the child
 *                   cannot join itself with {@link Op.CgroupJoin} (cgroup2 without CLONE_INTO_CGROUP, exec)
 * @param stdio how the child's standard streams are connected (Files are opened when spawning the launcher)
 */
public record LaunchPlan(List<Op> ops, String uidMap, String gidMap, List<String> procsFiles, Stdio stdio) {

    public LaunchPlan {
        ops = List.copyOf(ops);
        Objects.requireNonNull(uidMap, "uidMap");
        Objects.requireNonNull(gidMap, "gidMap");
        procsFiles = List.copyOf(procsFiles);
        Objects.requireNonNull(stdio, "stdio");
        if (ops.isEmpty() || !(ops.getLast() instanceof Op.Exec)) {
            throw new IllegalArgumentException("a launch plan must end with an Exec operation");
        }
    }

    /** The index of the start gate ({@link Op.Ready} with a start gate), or -1 when the plan has none. */
    public int startGateIndex() {
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof Op.Ready r && r.startGate()) {
                return i;
            }
        }
        return -1;
    }

    /** The operations of a given type, in order (for tests and diagnostics). */
    public <T extends Op> List<T> opsOf(Class<T> type) {
        return ops.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
