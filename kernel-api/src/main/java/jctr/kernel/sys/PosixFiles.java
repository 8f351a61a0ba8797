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

    // Each handle is bound in a holder class of its own, on the first call: binding spins classes (a
    // few ms each), and a short-lived jctr-runc calls only some of this class's functions.
    private static final class Open {
        static final MethodHandle HANDLE = Downcalls.withErrno("open",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT));
    }

    private static final class Close {
        static final MethodHandle HANDLE = Downcalls.withErrno("close", FunctionDescriptor.of(C_INT, C_INT));
    }

    private static final class Rmdir {
        static final MethodHandle HANDLE = Downcalls.withErrno("rmdir", FunctionDescriptor.of(C_INT, C_POINTER));
    }

    private static final class Mknod {
        static final MethodHandle HANDLE = Downcalls.withErrno("mknod",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_LONG));
    }

    private static final class Flock {
        static final MethodHandle HANDLE = Downcalls.withErrno("flock", FunctionDescriptor.of(C_INT, C_INT, C_INT));
    }

    private static final class Mkfifo {
        static final MethodHandle HANDLE = Downcalls.withErrno("mkfifo",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    }

    private static final class Read {
        static final MethodHandle HANDLE = Downcalls.withErrno("read",
                FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    }

    private static final class Write {
        static final MethodHandle HANDLE = Downcalls.withErrno("write",
                FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    }

    private static final class Poll {
        static final MethodHandle HANDLE = Downcalls.withErrno("poll",
                FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_INT));
    }

    private static final short POLLIN = 1;
    // fcntl is variadic: int fcntl(int fd, int cmd, ...)
    private static final class Fcntl {
        static final MethodHandle HANDLE = Downcalls.withErrnoVariadic("fcntl",
                FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT), 2);
    }

    private static final int F_DUPFD_CLOEXEC = 1030;

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
                int rc = (int) Flock.HANDLE.invokeExact(state, fd, operation);
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
                int fd = (int) Open.HANDLE.invokeExact(state, cPath, flags, mode);
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
            int rc = (int) Close.HANDLE.invokeExact(state, fd);
            if (rc != 0 && Downcalls.errno(state) != Errno.EINTR) {
                throw new SyscallException("close", Downcalls.errno(state), Integer.toString(fd));
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * Writes {@code data} to an existing file with exactly one write(2), as kernel interface files (cgroup,
     * /proc/sys, /proc/PID/*) require: each write is one command, and a missing file is never created
     * (ENOENT means the kernel lacks the feature). The real errno comes back in the exception.
     *
     * @throws SyscallException from open or write; a short write is reported as EIO
     */
    public static void writeExisting(Path file, byte[] data) {
        int fd = open(file, OpenFlags.O_WRONLY | OpenFlags.O_TRUNC | OpenFlags.O_CLOEXEC | OpenFlags.O_NOCTTY, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment buf = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, data.length);
            long n;
            do {
                n = (long) Write.HANDLE.invokeExact(state, fd, buf, (long) data.length);
            } while (n < 0 && Downcalls.errno(state) == Errno.EINTR);
            if (n < 0) {
                throw new SyscallException("write", Downcalls.errno(state), file + ", \"" + printable(data) + "\"");
            }
            if (n != data.length) {
                throw new SyscallException("write", Errno.EIO, file + ": short write of " + n + " of " + data.length + " bytes");
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        } finally {
            close(fd);
        }
    }

    /** rmdir(2); the errno (EBUSY for a cgroup that still has tasks, ENOTEMPTY, ENOENT) is in the exception. */
    public static void rmdir(Path dir) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) Rmdir.HANDLE.invokeExact(state, arena.allocateFrom(dir.toString()));
            if (rc != 0) {
                throw new SyscallException("rmdir", Downcalls.errno(state), dir.toString());
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private static String printable(byte[] data) {
        String s = new String(data, 0, Math.min(data.length, 120), java.nio.charset.StandardCharsets.UTF_8).strip();
        return data.length > 120 ? s + "..." : s;
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
            int rc = (int) Mknod.HANDLE.invokeExact(state, arena.allocateFrom(path.toString()), mode, device);
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
            int rc = (int) Mkfifo.HANDLE.invokeExact(state, arena.allocateFrom(path.toString()), mode);
            if (rc != 0) {
                throw new SyscallException("mkfifo", Downcalls.errno(state), path + ", 0" + Integer.toOctalString(mode));
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * read(2) of up to {@code max} bytes from a raw descriptor (a pty master, a pipe); retried on EINTR.
     *
     * @return the bytes read; empty at end of file (for a pty master: the slave side was closed)
     */
    public static byte[] read(int fd, int max) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment buf = arena.allocate(Math.max(1, max));
            while (true) {
                long n = (long) Read.HANDLE.invokeExact(state, fd, buf, (long) max);
                if (n >= 0) {
                    return buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                }
                int errno = Downcalls.errno(state);
                if (errno == Errno.EIO) {
                    // A pty master reads EIO once every slave descriptor is closed: that is its end of file.
                    return new byte[0];
                }
                if (errno != Errno.EINTR) {
                    throw new SyscallException("read", errno, Integer.toString(fd));
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * Like {@link #read(int, int)}, but waits at most {@code timeoutMillis} (negative: forever) for data.
     *
     * @throws SyscallException with ETIMEDOUT when nothing arrived in time
     */
    public static byte[] read(int fd, int max, int timeoutMillis) {
        awaitReadable(fd, timeoutMillis, "read");
        return read(fd, max);
    }

    /**
     * poll(2) for POLLIN (or hang-up) on {@code fd}, at most {@code timeoutMillis} (negative: forever);
     * retried on EINTR with the remaining time.
     *
     * @param call the call the wait is for, named in the ETIMEDOUT error
     * @throws SyscallException with ETIMEDOUT when nothing arrived in time
     */
    public static void awaitReadable(int fd, int timeoutMillis, String call) {
        if (!pollReadable(fd, timeoutMillis)) {
            throw new SyscallException(call, Errno.ETIMEDOUT, fd + ": nothing arrived within " + timeoutMillis + " ms");
        }
    }

    /**
     * poll(2) for POLLIN (or hang-up) on {@code fd}, at most {@code timeoutMillis} (negative: forever);
     * retried on EINTR with the remaining time.
     *
     * @return true when {@code fd} is readable, false when the time ran out
     */
    public static boolean pollReadable(int fd, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment pfd = arena.allocate(8, 4);
            pfd.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, fd);
            pfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, POLLIN);
            long deadline = timeoutMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                int wait = timeoutMillis < 0 ? -1 : (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
                int rc = (int) Poll.HANDLE.invokeExact(state, pfd, 1L, wait);
                if (rc > 0) {
                    return true;
                }
                if (rc == 0) {
                    return false;
                }
                int errno = Downcalls.errno(state);
                if (errno != Errno.EINTR) {
                    throw new SyscallException("poll", errno, Integer.toString(fd));
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** write(2) of all of {@code data} to a raw descriptor; retried on EINTR and short writes. */
    public static void write(int fd, byte[] data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment buf = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, data);
            long off = 0;
            while (off < data.length) {
                long n = (long) Write.HANDLE.invokeExact(state, fd, buf.asSlice(off), (long) data.length - off);
                if (n >= 0) {
                    off += n;
                    continue;
                }
                int errno = Downcalls.errno(state);
                if (errno != Errno.EINTR) {
                    throw new SyscallException("write", errno, fd + ", " + data.length + " bytes");
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** fcntl(F_DUPFD_CLOEXEC): a close-on-exec duplicate of {@code fd} numbered {@code minFd} or higher. */
    public static int duplicate(int fd, int minFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int dup = (int) Fcntl.HANDLE.invokeExact(state, fd, F_DUPFD_CLOEXEC, minFd);
            if (dup < 0) {
                throw new SyscallException("fcntl", Downcalls.errno(state), fd + ", F_DUPFD_CLOEXEC, " + minFd);
            }
            return dup;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
