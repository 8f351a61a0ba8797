package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static jctr.kernel.sys.Downcalls.C_INT;
import static jctr.kernel.sys.Downcalls.C_LONG;
import static jctr.kernel.sys.Downcalls.C_POINTER;

/**
 * Processes seen from the host: identity, pidfds (which name a process without PID-reuse races),
 * signals, waiting for exit, and the child-subreaper role.
 */
public final class Processes {

    private static final int P_PIDFD = 3;
    private static final int WEXITED = 4;
    private static final int WNOHANG = 1;
    private static final int CLD_EXITED = 1;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final long SIGINFO_SIZE = 128;

    // Each handle is bound in a holder class of its own, on the first call: binding spins classes (a
    // few ms each), and a short-lived jctr-runc calls only some of this class's functions.
    private static final class Getpid {
        static final MethodHandle HANDLE = Downcalls.plain("getpid", FunctionDescriptor.of(C_INT));
    }

    private static final class Geteuid {
        static final MethodHandle HANDLE = Downcalls.plain("geteuid", FunctionDescriptor.of(C_INT));
    }

    private static final class Kill {
        static final MethodHandle HANDLE = Downcalls.withErrno("kill", FunctionDescriptor.of(C_INT, C_INT, C_INT));
    }

    private static final class PidfdOpen {
        static final MethodHandle HANDLE = Downcalls.withErrno("pidfd_open",
                FunctionDescriptor.of(C_INT, C_INT, C_INT));
    }

    private static final class PidfdGetfd {
        static final MethodHandle HANDLE = Downcalls.withErrno("pidfd_getfd",
                FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT));
    }

    private static final class PidfdSendSignal {
        static final MethodHandle HANDLE = Downcalls.withErrno("pidfd_send_signal",
                FunctionDescriptor.of(C_INT, C_INT, C_INT, C_POINTER, C_INT));
    }

    private static final class Waitid {
        static final MethodHandle HANDLE = Downcalls.withErrno("waitid",
                FunctionDescriptor.of(C_INT, C_INT, C_INT, C_POINTER, C_INT));
    }

    // prctl is variadic: int prctl(int option, ...)
    private static final class Prctl {
        static final MethodHandle HANDLE = Downcalls.withErrnoVariadic("prctl",
                FunctionDescriptor.of(C_INT, C_INT, C_LONG), 1);
    }

    private Processes() {
    }

    /** getpid(2) of this JVM. */
    public static int self() {
        try {
            return (int) Getpid.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Whether this process runs with effective uid 0. */
    public static boolean isRoot() {
        try {
            return (int) Geteuid.HANDLE.invokeExact() == 0;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** kill(2). Prefer {@link #signal(int, int)} on a pidfd where the process might have been reaped. */
    public static void kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) Kill.HANDLE.invokeExact(state, pid, signal);
            if (rc != 0) {
                throw new SyscallException("kill", Downcalls.errno(state), pid + ", SIG" + Signals.name(signal));
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** pidfd_open(2): a descriptor that names process {@code pid} for as long as it is held. */
    public static int pidfdOpen(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int fd = (int) PidfdOpen.HANDLE.invokeExact(state, pid, 0);
            if (fd < 0) {
                throw new SyscallException("pidfd_open", Downcalls.errno(state), "pid " + pid);
            }
            return fd;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * pidfd_getfd(2): a close-on-exec duplicate of descriptor {@code targetFd} of the process named by
     * {@code pidfd} (needs ptrace access to it). EBADF when it has no such descriptor, ESRCH when it exited.
     */
    public static int pidfdGetfd(int pidfd, int targetFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int fd = (int) PidfdGetfd.HANDLE.invokeExact(state, pidfd, targetFd, 0);
            if (fd < 0) {
                throw new SyscallException("pidfd_getfd", Downcalls.errno(state), "pidfd " + pidfd + ", fd " + targetFd);
            }
            return fd;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** pidfd_send_signal(2). Throws ESRCH when the process has already exited. */
    public static void signal(int pidfd, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) PidfdSendSignal.HANDLE.invokeExact(state, pidfd, signal, MemorySegment.NULL, 0);
            if (rc != 0) {
                throw new SyscallException("pidfd_send_signal", Downcalls.errno(state),
                        "pidfd " + pidfd + ", SIG" + Signals.name(signal));
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * waitid(P_PIDFD, pidfd, WEXITED): blocks until the child named by {@code pidfd} exits and reaps it.
     * Only works for children of this process (or of a subreaper chain ending here). Retries EINTR.
     */
    public static ExitStatus waitFor(int pidfd) {
        return waitid(pidfd, WEXITED).orElseThrow();
    }

    /** Like {@link #waitFor} but returns empty at once when the child is still running. */
    public static Optional<ExitStatus> poll(int pidfd) {
        return waitid(pidfd, WEXITED | WNOHANG);
    }

    private static Optional<ExitStatus> waitid(int pidfd, int options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment info = arena.allocate(SIGINFO_SIZE, 8);
            while (true) {
                int rc = (int) Waitid.HANDLE.invokeExact(state, P_PIDFD, pidfd, info, options);
                if (rc == 0) {
                    break;
                }
                int errno = Downcalls.errno(state);
                if (errno != Errno.EINTR) {
                    throw new SyscallException("waitid", errno, "P_PIDFD, " + pidfd);
                }
            }
            // siginfo_t for SIGCHLD: si_signo@0, si_errno@4, si_code@8, si_pid@16, si_uid@20, si_status@24
            int pid = info.get(ValueLayout.JAVA_INT, 16);
            if (pid == 0) {
                return Optional.empty();
            }
            int code = info.get(ValueLayout.JAVA_INT, 8);
            int status = info.get(ValueLayout.JAVA_INT, 24);
            return Optional.of(code == CLD_EXITED ? ExitStatus.exited(status) : ExitStatus.killed(status));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants (a container's init after its launcher
     * exits) are re-parented to this process, so it can wait for them and learn their exit status.
     */
    public static void becomeChildSubreaper() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) Prctl.HANDLE.invokeExact(state, PR_SET_CHILD_SUBREAPER, 1L);
            if (rc != 0) {
                throw new SyscallException("prctl", Downcalls.errno(state), "PR_SET_CHILD_SUBREAPER, 1");
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

}
