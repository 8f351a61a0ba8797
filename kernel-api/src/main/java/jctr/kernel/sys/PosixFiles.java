package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static jctr.kernel.sys.Downcalls.C_INT;
import static jctr.kernel.sys.Downcalls.C_LONG;
import static jctr.kernel.sys.Downcalls.C_POINTER;

/**
 * File descriptor level calls that java.nio does not offer: raw descriptors (to hand to the kernel in
 * other calls, such as a cgroup directory for CLONE_INTO_CGROUP), device nodes and FIFOs.
 * Flags are in {@link OpenFlags}.
 */
public final class PosixFiles {

    private static final MethodHandle OPEN = Downcalls.withErrno("open",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle CLOSE = Downcalls.withErrno("close",
            FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle MKNOD = Downcalls.withErrno("mknod",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_LONG));
    private static final MethodHandle FLOCK = Downcalls.withErrno("flock",
            FunctionDescriptor.of(C_INT, C_INT, C_INT));
    private static final MethodHandle MKFIFO = Downcalls.withErrno("mkfifo",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));

    /** flock(2): shared lock. */
    public static final int LOCK_SH = 1;
    /** flock(2): exclusive lock. */
    public static final int LOCK_EX = 2;
    /** flock(2): do not block. */
    public static final int LOCK_NB = 4;
    /** flock(2): unlock. */
    public static final int LOCK_UN = 8;

    private PosixFiles() {
    }

    /**
     * flock(2) on a descriptor; blocking calls are retried on EINTR. Locks belong to the open file
     * description, so two descriptors opened separately exclude each other even within one process.
     *
     * @return false only when {@code LOCK_NB} was given and the lock is held elsewhere
     */
    public static boolean flock(int fd, int operation) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            while (true) {
                int rc = (int) FLOCK.invokeExact(state, fd, operation);
                if (rc == 0) {
                    return true;
                }
                int errno = Downcalls.errno(state);
                if (errno == Errno.EWOULDBLOCK && (operation & LOCK_NB) != 0) {
                    return false;
                }
                if (errno != Errno.EINTR) {
                    throw new SyscallException("flock", errno, fd + ", " + operation);
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** open(2); retried on EINTR. The caller owns the returned descriptor and must {@link #close} it. */
    public static int open(Path path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment cPath = arena.allocateFrom(path.toString());
            while (true) {
                int fd = (int) OPEN.invokeExact(state, cPath, flags, mode);
                if (fd >= 0) {
                    return fd;
                }
                int errno = Downcalls.errno(state);
                if (errno != Errno.EINTR) {
                    throw new SyscallException("open", errno, path + ", 0" + Integer.toOctalString(flags));
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** close(2). EINTR is not retried: on Linux the descriptor is released either way. */
    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) CLOSE.invokeExact(state, fd);
            if (rc != 0 && Downcalls.errno(state) != Errno.EINTR) {
                throw new SyscallException("close", Downcalls.errno(state), Integer.toString(fd));
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * mknod(2).
     *
     * @param mode file type ({@link OpenFlags#S_IFCHR}, S_IFBLK, S_IFIFO) ORed with permission bits
     * @param device from {@link OpenFlags#makedev}
     */
    public static void mknod(Path path, int mode, long device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) MKNOD.invokeExact(state, arena.allocateFrom(path.toString()), mode, device);
            if (rc != 0) {
                throw new SyscallException("mknod", Downcalls.errno(state),
                        path + ", 0" + Integer.toOctalString(mode) + ", 0x" + Long.toHexString(device));
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** mkfifo(3). */
    public static void mkfifo(Path path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) MKFIFO.invokeExact(state, arena.allocateFrom(path.toString()), mode);
            if (rc != 0) {
                throw new SyscallException("mkfifo", Downcalls.errno(state), path + ", 0" + Integer.toOctalString(mode));
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
