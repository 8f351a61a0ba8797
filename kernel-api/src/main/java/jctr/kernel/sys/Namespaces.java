package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static jctr.kernel.sys.Downcalls.C_INT;

/**
 * unshare(2) and setns(2) for the calling thread.
 *
 * <p>The JVM is multithreaded: the kernel refuses {@code CLONE_NEWUSER} (and joining a user namespace)
 * here, and {@code CLONE_NEWNS}/{@code CLONE_FS} affect only the calling thread. Container processes are
 * therefore created by the native launcher, not with these calls; these serve host-side work done on a
 * dedicated thread (tests, joining a network namespace to configure it).
 */
public final class Namespaces {

    private static final MethodHandle UNSHARE = Downcalls.withErrno("unshare",
            FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle SETNS = Downcalls.withErrno("setns",
            FunctionDescriptor.of(C_INT, C_INT, C_INT));

    private Namespaces() {
    }

    /** unshare(2) with {@link CloneFlags} bits (those that fit in an int). */
    public static void unshare(long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) UNSHARE.invokeExact(state, (int) flags);
            if (rc != 0) {
                throw new SyscallException("unshare", Downcalls.errno(state), "0x" + Long.toHexString(flags));
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** setns(2): joins the namespace that {@code fd} refers to; {@code nsType} 0 accepts any type. */
    public static void setns(int fd, long nsType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) SETNS.invokeExact(state, fd, (int) nsType);
            if (rc != 0) {
                throw new SyscallException("setns", Downcalls.errno(state), fd + ", 0x" + Long.toHexString(nsType));
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
