package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static jctr.kernel.sys.Downcalls.C_INT;
import static jctr.kernel.sys.Downcalls.C_LONG;
import static jctr.kernel.sys.Downcalls.C_POINTER;

/**
 * seccomp(2) filters and the no_new_privs bit for the <em>calling thread</em>, and raw system calls by
 * number (to observe what an installed filter answers).
 *
 * <p>Both the filter and no_new_privs are per-thread (without {@link #FILTER_FLAG_TSYNC}) and can never be
 * removed: call these only on a dedicated thread that ends afterwards, never on a JVM thread that will run
 * other work. Containers get their filter from the native launcher; these serve tests and diagnostics.
 */
public final class Seccomps {

    /** seccomp(2) flag: install the filter on every thread of the process. */
    public static final int FILTER_FLAG_TSYNC = 1;
    /** seccomp(2) flag: log every action except ALLOW. */
    public static final int FILTER_FLAG_LOG = 1 << 1;
    /** seccomp(2) flag: do not enable the speculative store bypass mitigation. */
    public static final int FILTER_FLAG_SPEC_ALLOW = 1 << 2;
    /** seccomp(2) flag: return a user-notification listener fd. */
    public static final int FILTER_FLAG_NEW_LISTENER = 1 << 3;
    /** seccomp(2) flag: with TSYNC and NEW_LISTENER, report a sync failure as ESRCH. */
    public static final int FILTER_FLAG_TSYNC_ESRCH = 1 << 4;
    /** seccomp(2) flag: wait killably for a user-notification reply once it was received. */
    public static final int FILTER_FLAG_WAIT_KILLABLE_RECV = 1 << 5;

    /** prctl(PR_GET_SECCOMP) result for a thread with a BPF filter. */
    public static final int MODE_FILTER = 2;

    private static final long SYS_SECCOMP = 317;
    private static final long SECCOMP_SET_MODE_FILTER = 1;
    private static final int PR_GET_SECCOMP = 21;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int PR_GET_NO_NEW_PRIVS = 39;
    /** sizeof(struct sock_filter): u16 code, u8 jt, u8 jf, u32 k. */
    private static final int SOCK_FILTER_SIZE = 8;
    private static final int MAX_INSTRUCTIONS = 4096;

    // Both are variadic in glibc: long syscall(long number, ...), int prctl(int option, ...).
    private static final MethodHandle SYSCALL = Downcalls.withErrnoVariadic("syscall",
            FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_LONG, C_LONG, C_LONG, C_LONG, C_LONG), 1);
    private static final MethodHandle PRCTL = Downcalls.withErrnoVariadic("prctl",
            FunctionDescriptor.of(C_INT, C_INT, C_LONG, C_LONG, C_LONG, C_LONG), 1);
    private static final MethodHandle SECCOMP = Downcalls.withErrnoVariadic("syscall",
            FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_LONG, C_POINTER), 1);

    private Seccomps() {
    }

    /**
     * prctl(PR_SET_NO_NEW_PRIVS, 1) for the calling thread: execve can no longer grant privileges, which
     * lets an unprivileged thread install a seccomp filter. Irreversible.
     */
    public static void setNoNewPrivs() {
        prctl(PR_SET_NO_NEW_PRIVS, 1, "PR_SET_NO_NEW_PRIVS, 1");
    }

    /** Whether the calling thread has no_new_privs set. */
    public static boolean noNewPrivs() {
        return prctl(PR_GET_NO_NEW_PRIVS, 0, "PR_GET_NO_NEW_PRIVS") == 1;
    }

    /** The calling thread's seccomp mode: 0 none, 1 strict, {@link #MODE_FILTER} filter. */
    public static int mode() {
        return prctl(PR_GET_SECCOMP, 0, "PR_GET_SECCOMP");
    }

    /**
     * seccomp(SECCOMP_SET_MODE_FILTER, flags, prog): installs a classic BPF program on the calling thread
     * (on all threads with {@link #FILTER_FLAG_TSYNC}). Needs no_new_privs or CAP_SYS_ADMIN. Irreversible.
     *
     * @param program little-endian {@code struct sock_filter} entries, 8 bytes each
     * @param flags {@code FILTER_FLAG_*} bits
     * @return the listener fd with {@link #FILTER_FLAG_NEW_LISTENER}, else 0
     */
    public static int setModeFilter(byte[] program, int flags) {
        if (program.length == 0 || program.length % SOCK_FILTER_SIZE != 0
                || program.length / SOCK_FILTER_SIZE > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("a seccomp program is 1.." + MAX_INSTRUCTIONS
                    + " 8-byte instructions, got " + program.length + " bytes");
        }
        int count = program.length / SOCK_FILTER_SIZE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filter = arena.allocate(program.length, 8);
            MemorySegment.copy(program, 0, filter, ValueLayout.JAVA_BYTE, 0, program.length);
            // struct sock_fprog { unsigned short len; /* 6 bytes padding */ struct sock_filter *filter; }
            MemorySegment fprog = arena.allocate(16, 8);
            fprog.set(ValueLayout.JAVA_SHORT, 0, (short) count);
            fprog.set(ValueLayout.ADDRESS, 8, filter);
            MemorySegment state = Downcalls.callState(arena);
            long rc = (long) SECCOMP.invokeExact(state, SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, (long) flags, fprog);
            if (rc < 0) {
                throw new SyscallException("seccomp", Downcalls.errno(state),
                        "SECCOMP_SET_MODE_FILTER, 0x" + Integer.toHexString(flags) + ", " + count + " instructions");
            }
            return (int) rc;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * syscall(2) by number with up to six integer arguments (pointers as addresses, 0 for NULL): shows what
     * the kernel, and any seccomp filter on this thread, answers for that call. Use only calls that are
     * harmless with the arguments given.
     *
     * @return the call's non-negative result
     * @throws SyscallException with the errno when the call returns -1
     */
    public static long syscall(long number, long... args) {
        if (args.length > 6) {
            throw new IllegalArgumentException("a system call takes at most 6 arguments, got " + args.length);
        }
        long[] a = java.util.Arrays.copyOf(args, 6);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            long rc = (long) SYSCALL.invokeExact(state, number, a[0], a[1], a[2], a[3], a[4], a[5]);
            if (rc == -1) {
                throw new SyscallException("syscall", Downcalls.errno(state), number + ", "
                        + java.util.Arrays.toString(args));
            }
            return rc;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private static int prctl(int option, long arg, String shown) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) PRCTL.invokeExact(state, option, arg, 0L, 0L, 0L);
            if (rc < 0) {
                throw new SyscallException("prctl", Downcalls.errno(state), shown);
            }
            return rc;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
