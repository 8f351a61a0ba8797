package jctr.mgmt.engine;

import java.time.Instant;

/**
 * A container's state in the Docker Engine API's {@code State} shape.
 *
 * @param status {@code created}, {@code running}, {@code paused}, {@code restarting}, {@code removing},
 *               {@code exited} or {@code dead}
 * @param pid the init's host pid while running, else 0
 * @param exitCode the last exit code
 * @param error why the last start failed, or empty
 * @param startedAt when it last started (null: never)
 * @param finishedAt when it last stopped (null: never)
 */
public record ContainerState(String status, boolean running, boolean paused, boolean restarting, boolean oomKilled,
                             boolean dead, int pid, int exitCode, String error, Instant startedAt, Instant finishedAt) {

    public static final String CREATED = "created";
    public static final String RUNNING = "running";
    public static final String PAUSED = "paused";
    public static final String RESTARTING = "restarting";
    public static final String EXITED = "exited";
    public static final String DEAD = "dead";

    /** A container that was created and never started. */
    static ContainerState created() {
        return new ContainerState(CREATED, false, false, false, false, false, 0, 0, "", null, null);
    }

    ContainerState running(int initPid, Instant at) {
        return new ContainerState(RUNNING, true, false, false, false, false, initPid, 0, "", at, finishedAt);
    }

    ContainerState exited(int code, boolean oom, Instant at) {
        return new ContainerState(EXITED, false, false, false, oom, false, 0, code, "", startedAt, at);
    }

    ContainerState failedToStart(int code, String message, Instant at) {
        return new ContainerState(startedAt == null ? CREATED : EXITED, false, false, false, false, false, 0, code,
                message, startedAt, at);
    }

    ContainerState paused(boolean p) {
        return new ContainerState(p ? PAUSED : RUNNING, running, p, restarting, oomKilled, dead, pid, exitCode, error,
                startedAt, finishedAt);
    }

    ContainerState restarting(boolean r) {
        return new ContainerState(r ? RESTARTING : status, running, paused, r, oomKilled, dead, pid, exitCode, error,
                startedAt, finishedAt);
    }
}
