package jctr.kernel.spi;

import java.time.Instant;

/**
 * Something the kernel reported about a cgroup.
 *
 * @param type what happened
 * @param cgroupPath the cgroup it happened in
 * @param at when the driver noticed it
 * @param count the kernel's counter for this event after it happened (e.g. {@code oom_kill} in memory.events)
 */
public record ResourceEvent(Type type, String cgroupPath, Instant at, long count) {

    /** The kinds of events. */
    public enum Type {
        /** The memory limit was hit and the OOM killer ran (v1 oom_control, v2 memory.events oom). */
        OOM,
        /** A process was killed by the OOM killer (v2 memory.events oom_kill). */
        OOM_KILL,
        /** A fork failed because pids.max was reached (pids.events max). */
        PIDS_LIMIT
    }
}
