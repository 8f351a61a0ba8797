package jctr.kernel.runtime;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jctr.kernel.KernelException;
import jctr.kernel.host.ProcStat;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Processes;
import jctr.kernel.sys.SyscallException;

/**
 * A container process held through a pidfd, opened only after checking that the pid still names the
 * process that started at the recorded time; signals and waits through the pidfd are then immune to
 * pid reuse.
 */
final class ProcessRef implements AutoCloseable {

    private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final IsolatedProcess process;
    private final int pidfd;

    private ProcessRef(IsolatedProcess process, int pidfd) {
        this.process = process;
        this.pidfd = pidfd;
    }

    /** The process if it still exists (a zombie not yet reaped counts), else empty. */
    static Optional<ProcessRef> open(IsolatedProcess process) {
        int fd;
        try {
            fd = Processes.pidfdOpen(process.pid());
        } catch (SyscallException e) {
            if (e.is(Errno.ESRCH)) {
                return Optional.empty();
            }
            throw e;
        }
        // The pidfd names whatever has this pid now; keep it only if that is still our process.
        boolean same = ProcStat.read(process.pid())
                .filter(st -> process.startTime() == 0 || st.startTime() == process.startTime()).isPresent();
        if (!same) {
            PosixFiles.close(fd);
            return Optional.empty();
        }
        return Optional.of(new ProcessRef(process, fd));
    }

    /** Whether the process still runs (not exited, not a zombie). */
    boolean alive() {
        return ProcStat.alive(process.pid(), process.startTime());
    }

    /**
     * Sends {@code signal}.
     *
     * @return false when the process has already exited
     */
    boolean signal(int signal) {
        try {
            Processes.signal(pidfd, signal);
            return true;
        } catch (SyscallException e) {
            if (e.is(Errno.ESRCH)) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Waits for the process to exit and reaps it. This process must be its parent, or its child
     * subreaper once whatever launched it has exited: until then waitid says ECHILD and this polls.
     *
     * @throws KernelException if the process was reaped by another parent, so its status is lost
     */
    ExitStatus waitForExit() {
        return waitForExit(Long.MAX_VALUE).orElseThrow();
    }

    /**
     * Like {@link #waitForExit()}, giving up after {@code timeoutMillis}.
     *
     * @return the exit status, or empty when the process still runs at the deadline
     */
    Optional<ExitStatus> waitForExit(long timeoutMillis) {
        long deadline = timeoutMillis == Long.MAX_VALUE ? Long.MAX_VALUE
                : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long pause = TimeUnit.MILLISECONDS.toNanos(1);
        while (true) {
            try {
                if (deadline == Long.MAX_VALUE) {
                    return Optional.of(Processes.waitFor(pidfd));
                }
                Optional<ExitStatus> status = Processes.poll(pidfd);
                if (status.isPresent()) {
                    return status;
                }
            } catch (SyscallException e) {
                if (!e.is(Errno.ECHILD)) {
                    throw e;
                }
                if (ProcStat.read(process.pid()).filter(st -> process.startTime() == 0
                        || st.startTime() == process.startTime()).isEmpty()) {
                    throw new KernelException(KernelException.Category.INTERNAL, "process " + process.pid()
                            + " was reaped by another parent: its exit status is unknown");
                }
            }
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            try {
                TimeUnit.NANOSECONDS.sleep(pause);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new KernelException(KernelException.Category.INTERNAL, "interrupted while waiting for process "
                        + process.pid(), ie);
            }
            pause = Math.min(pause * 2, MAX_POLL_NANOS);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for the process to stop running (exit or become a zombie), for
     * processes this JVM cannot reap.
     *
     * @return whether it stopped in time
     */
    boolean awaitGone(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long pause = TimeUnit.MILLISECONDS.toNanos(1);
        while (alive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !alive();
            }
            pause = Math.min(pause * 2, MAX_POLL_NANOS);
        }
        return true;
    }

    /** Reaps the exited process if it is this JVM's child, so that no zombie stays behind; else does nothing. */
    void reapIfChild() {
        try {
            Processes.poll(pidfd);
        } catch (SyscallException e) {
            if (!e.is(Errno.ECHILD)) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        PosixFiles.close(pidfd);
    }
}
