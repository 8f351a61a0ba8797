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
 * eventfd(2): a kernel counter that a thread can block on. jctr uses it for cgroup v1 notifications
 * (memory.oom_control registered through cgroup.event_control). Close descriptors with
 * {@link PosixFiles#close}.
 */
public final class EventFds {

    /** eventfd(2) flag: close on exec. */
    public static final int EFD_CLOEXEC = OpenFlags.O_CLOEXEC;
    /** eventfd(2) flag: reads fail with EAGAIN instead of blocking when the counter is zero. */
    public static final int EFD_NONBLOCK = OpenFlags.O_NONBLOCK;
    /** eventfd(2) flag: each read takes 1 from the counter instead of all of it. */
    public static final int EFD_SEMAPHORE = 1;

    private static final MethodHandle EVENTFD = Downcalls.withErrno("eventfd",
            FunctionDescriptor.of(C_INT, C_INT, C_INT));
    private static final MethodHandle EVENTFD_READ = Downcalls.withErrno("eventfd_read",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
    private static final MethodHandle EVENTFD_WRITE = Downcalls.withErrno("eventfd_write",
            FunctionDescriptor.of(C_INT, C_INT, C_LONG));

    private EventFds() {
    }

    /**
     * eventfd(2): a new event counter starting at {@code initialValue}. The caller owns the descriptor.
     *
     * @param flags {@link #EFD_CLOEXEC}, {@link #EFD_NONBLOCK}, {@link #EFD_SEMAPHORE}
     */
    public static int create(int initialValue, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int fd = (int) EVENTFD.invokeExact(state, initialValue, flags);
            if (fd < 0) {
                throw new SyscallException("eventfd", Downcalls.errno(state), initialValue + ", " + flags);
            }
            return fd;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * Reads the counter, resetting it to zero (or taking 1 with {@link #EFD_SEMAPHORE}). Blocks while it
     * is zero unless the descriptor is non-blocking; EINTR is retried.
     *
     * @return the value read, always positive
     * @throws SyscallException EAGAIN on a non-blocking descriptor whose counter is zero
     */
    public static long read(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
            while (true) {
                int rc = (int) EVENTFD_READ.invokeExact(state, fd, value);
                if (rc == 0) {
                    return value.get(ValueLayout.JAVA_LONG, 0);
                }
                int errno = Downcalls.errno(state);
                if (errno != Errno.EINTR) {
                    throw new SyscallException("eventfd_read", errno, Integer.toString(fd));
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Adds {@code value} (positive) to the counter, waking a blocked reader. EINTR is retried. */
    public static void write(int fd, long value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            while (true) {
                int rc = (int) EVENTFD_WRITE.invokeExact(state, fd, value);
                if (rc == 0) {
                    return;
                }
                int errno = Downcalls.errno(state);
                if (errno != Errno.EINTR) {
                    throw new SyscallException("eventfd_write", errno, fd + ", " + value);
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
