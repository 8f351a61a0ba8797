package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import static jctr.kernel.sys.Downcalls.C_INT;
import static jctr.kernel.sys.Downcalls.C_POINTER;

/**
 * File metadata by path without following a final symlink: statx(2) with {@code AT_SYMLINK_NOFOLLOW},
 * lchown, utimensat with nanoseconds, and chmod. java.nio lacks the allocated block count, device
 * numbers of special files and nanosecond-exact, no-follow time setting that storage drivers need.
 */
public final class FileMeta {

    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final long STATX_SIZE = 256;
    /** utimensat: leave this time unchanged. */
    private static final long UTIME_OMIT = (1L << 30) - 2L;

    private static final MethodHandle STATX = Downcalls.withErrno("statx",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT, C_POINTER));
    private static final MethodHandle FCHOWNAT = Downcalls.withErrno("fchownat",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT, C_INT));
    private static final MethodHandle CHMOD = Downcalls.withErrno("chmod",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle UTIMENSAT = Downcalls.withErrno("utimensat",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_INT));

    private FileMeta() {
    }

    /** statx(2) of {@code path} itself (a symlink is not followed). */
    public static FileStat lstat(Path path) {
        return statx(OpenFlags.AT_FDCWD, path.toString(), OpenFlags.AT_SYMLINK_NOFOLLOW);
    }

    /** Like {@link #lstat}, but empty when nothing exists at {@code path} (ENOENT or ENOTDIR). */
    public static Optional<FileStat> lstatIfExists(Path path) {
        try {
            return Optional.of(lstat(path));
        } catch (SyscallException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENOTDIR)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** statx(2) of an open descriptor (also an {@code O_PATH} one). */
    public static FileStat fstat(int fd) {
        return statx(fd, "", OpenFlags.AT_EMPTY_PATH | OpenFlags.AT_SYMLINK_NOFOLLOW);
    }

    private static FileStat statx(int dirFd, String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment buf = arena.allocate(STATX_SIZE, 8);
            int rc = (int) STATX.invokeExact(state, dirFd, arena.allocateFrom(path), flags, STATX_BASIC_STATS, buf);
            if (rc != 0) {
                throw new SyscallException("statx", Downcalls.errno(state), dirFd == OpenFlags.AT_FDCWD ? path : "fd " + dirFd);
            }
            return new FileStat(
                    OpenFlags.makedev(Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, 136)),
                            Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, 140))),
                    buf.get(ValueLayout.JAVA_LONG, 32),
                    Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, 28)),
                    Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, 16)),
                    buf.get(ValueLayout.JAVA_INT, 20),
                    buf.get(ValueLayout.JAVA_INT, 24),
                    buf.get(ValueLayout.JAVA_INT, 128),
                    buf.get(ValueLayout.JAVA_INT, 132),
                    buf.get(ValueLayout.JAVA_LONG, 40),
                    buf.get(ValueLayout.JAVA_LONG, 48),
                    timestamp(buf, 64), timestamp(buf, 112), timestamp(buf, 96));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private static Instant timestamp(MemorySegment statx, long offset) {
        return Instant.ofEpochSecond(statx.get(ValueLayout.JAVA_LONG, offset),
                Integer.toUnsignedLong(statx.get(ValueLayout.JAVA_INT, offset + 8)));
    }

    /** lchown(2): sets owner and group of {@code path} itself (a symlink is not followed). */
    public static void lchown(Path path, int uid, int gid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) FCHOWNAT.invokeExact(state, OpenFlags.AT_FDCWD, arena.allocateFrom(path.toString()), uid, gid,
                    OpenFlags.AT_SYMLINK_NOFOLLOW);
            if (rc != 0) {
                throw new SyscallException("lchown", Downcalls.errno(state), path + ", " + uid + ", " + gid);
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * chmod(2) with all 12 permission bits (setuid, setgid, sticky included). Follows symlinks: call it
     * only for paths known not to be symlinks (Linux has no symlink permissions).
     */
    public static void chmod(Path path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) CHMOD.invokeExact(state, arena.allocateFrom(path.toString()), mode & 07777);
            if (rc != 0) {
                throw new SyscallException("chmod", Downcalls.errno(state), path + ", 0" + Integer.toOctalString(mode));
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * utimensat(2) with {@code AT_SYMLINK_NOFOLLOW}: sets access and modification times of {@code path}
     * itself to the nanosecond. A null time is left unchanged.
     */
    public static void setTimes(Path path, Instant atime, Instant mtime) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment times = arena.allocate(32, 8);
            putTimespec(times, 0, atime);
            putTimespec(times, 16, mtime);
            int rc = (int) UTIMENSAT.invokeExact(state, OpenFlags.AT_FDCWD, arena.allocateFrom(path.toString()), times,
                    OpenFlags.AT_SYMLINK_NOFOLLOW);
            if (rc != 0) {
                throw new SyscallException("utimensat", Downcalls.errno(state), path + ", " + atime + ", " + mtime);
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private static void putTimespec(MemorySegment times, long offset, Instant time) {
        times.set(ValueLayout.JAVA_LONG, offset, time == null ? 0 : time.getEpochSecond());
        times.set(ValueLayout.JAVA_LONG, offset + 8, time == null ? UTIME_OMIT : time.getNano());
    }
}
