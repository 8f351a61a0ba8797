package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static jctr.kernel.sys.Downcalls.C_INT;
import static jctr.kernel.sys.Downcalls.C_LONG;
import static jctr.kernel.sys.Downcalls.C_POINTER;
import static jctr.kernel.sys.Downcalls.C_SIZE_T;

/**
 * Copying file contents between two open descriptors as cheaply as the file system allows:
 * a reflink (FICLONE ioctl: shared extents, no data copied) where supported (btrfs, xfs with reflink,
 * bcachefs), else copy_file_range(2) over the source's data extents only, so holes stay holes
 * (SEEK_DATA/SEEK_HOLE), else pread/pwrite through a buffer.
 */
public final class FileCopy {

    /** How {@link #copyContents} copied. */
    public enum Method {
        /** Shared extents (FICLONE); no data was copied. */
        CLONE,
        /** In-kernel copy of each data extent (copy_file_range). */
        COPY_FILE_RANGE,
        /** pread/pwrite through a user-space buffer. */
        READ_WRITE
    }

    /** _IOW(0x94, 9, int) from linux/fs.h. */
    private static final long FICLONE = 0x40049409L;
    private static final int SEEK_SET = 0;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final long CHUNK = 1L << 30;
    private static final long BUFFER = 1L << 20;

    private static final MethodHandle IOCTL = Downcalls.withErrnoVariadic("ioctl",
            FunctionDescriptor.of(C_INT, C_INT, C_LONG, C_INT), 2);
    private static final MethodHandle COPY_FILE_RANGE = Downcalls.withErrno("copy_file_range",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_INT, C_POINTER, C_SIZE_T, C_INT));
    private static final MethodHandle LSEEK = Downcalls.withErrno("lseek",
            FunctionDescriptor.of(C_LONG, C_INT, C_LONG, C_INT));
    private static final MethodHandle FTRUNCATE = Downcalls.withErrno("ftruncate",
            FunctionDescriptor.of(C_INT, C_INT, C_LONG));
    private static final MethodHandle PREAD = Downcalls.withErrno("pread",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_SIZE_T, C_LONG));
    private static final MethodHandle PWRITE = Downcalls.withErrno("pwrite",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_SIZE_T, C_LONG));

    private FileCopy() {
    }

    /**
     * Copies all {@code size} bytes of {@code srcFd} into the empty file {@code dstFd}; the result has
     * size {@code size}, the same content and holes where the source has holes (unless the file system
     * cannot tell them apart). Both descriptors must be regular files, src readable, dst writable.
     *
     * @param tryClone whether to attempt FICLONE first (pass false once a file system said it cannot)
     * @return how the data was copied
     */
    public static Method copyContents(int srcFd, int dstFd, long size, boolean tryClone) {
        if (tryClone && size > 0 && clone(srcFd, dstFd)) {
            return Method.CLONE;
        }
        Method method = Method.COPY_FILE_RANGE;
        long offset = 0;
        while (offset < size) {
            long data = seek(srcFd, offset, SEEK_DATA);
            if (data < 0 || data >= size) {
                break; // the rest is a hole
            }
            long hole = Math.min(seek(srcFd, data, SEEK_HOLE), size);
            if (hole < 0) {
                hole = size;
            }
            if (method == Method.COPY_FILE_RANGE && !copyFileRange(srcFd, dstFd, data, hole - data)) {
                method = Method.READ_WRITE;
            }
            if (method == Method.READ_WRITE) {
                readWrite(srcFd, dstFd, data, hole - data);
            }
            offset = hole;
        }
        truncate(dstFd, size);
        return method;
    }

    /**
     * FICLONE: makes {@code dstFd} share all extents of {@code srcFd}.
     *
     * @return false if the file systems cannot (no reflink support, or different file systems);
     *         other failures throw
     */
    public static boolean clone(int srcFd, int dstFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) IOCTL.invokeExact(state, dstFd, FICLONE, srcFd);
            if (rc == 0) {
                return true;
            }
            int errno = Downcalls.errno(state);
            if (errno == Errno.EOPNOTSUPP || errno == Errno.EXDEV || errno == Errno.EINVAL
                    || errno == Errno.ENOTTY || errno == Errno.ENOSYS || errno == Errno.EPERM) {
                return false;
            }
            throw new SyscallException("ioctl(FICLONE)", errno, dstFd + ", " + srcFd);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * Copies {@code length} bytes at {@code offset} from src to the same offset in dst with
     * copy_file_range(2).
     *
     * @return false (having copied nothing of the current chunk) if the kernel cannot copy between
     *         these files in-kernel; other failures throw
     */
    private static boolean copyFileRange(int srcFd, int dstFd, long offset, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment offIn = arena.allocateFrom(ValueLayout.JAVA_LONG, offset);
            MemorySegment offOut = arena.allocateFrom(ValueLayout.JAVA_LONG, offset);
            long remaining = length;
            while (remaining > 0) {
                long n = (long) COPY_FILE_RANGE.invokeExact(state, srcFd, offIn, dstFd, offOut,
                        Math.min(remaining, CHUNK), 0);
                if (n < 0) {
                    int errno = Downcalls.errno(state);
                    if (errno == Errno.EINTR) {
                        continue;
                    }
                    if (remaining == length && (errno == Errno.EXDEV || errno == Errno.EOPNOTSUPP
                            || errno == Errno.ENOSYS || errno == Errno.EINVAL)) {
                        return false;
                    }
                    throw new SyscallException("copy_file_range", errno, srcFd + ", " + dstFd + ", @" + offset);
                }
                if (n == 0) {
                    throw new SyscallException("copy_file_range", Errno.EIO,
                            srcFd + ", " + dstFd + ": source ended early at @" + offIn.get(ValueLayout.JAVA_LONG, 0));
                }
                remaining -= n;
            }
            return true;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private static void readWrite(int srcFd, int dstFd, long offset, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment buf = arena.allocate(BUFFER);
            long done = 0;
            while (done < length) {
                long n = (long) PREAD.invokeExact(state, srcFd, buf, Math.min(BUFFER, length - done), offset + done);
                if (n < 0) {
                    if (Downcalls.errno(state) == Errno.EINTR) {
                        continue;
                    }
                    throw new SyscallException("pread", Downcalls.errno(state), srcFd + ", @" + (offset + done));
                }
                if (n == 0) {
                    throw new SyscallException("pread", Errno.EIO, srcFd + ": source ended early at @" + (offset + done));
                }
                long written = 0;
                while (written < n) {
                    long w = (long) PWRITE.invokeExact(state, dstFd, buf.asSlice(written), n - written,
                            offset + done + written);
                    if (w < 0) {
                        if (Downcalls.errno(state) == Errno.EINTR) {
                            continue;
                        }
                        throw new SyscallException("pwrite", Downcalls.errno(state), dstFd + ", @" + (offset + done + written));
                    }
                    written += w;
                }
                done += n;
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** lseek(2); -1 when SEEK_DATA/SEEK_HOLE finds nothing after {@code offset} (ENXIO). */
    private static long seek(int fd, long offset, int whence) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            long rc = (long) LSEEK.invokeExact(state, fd, offset, whence);
            if (rc < 0) {
                int errno = Downcalls.errno(state);
                if (errno == Errno.ENXIO) {
                    return -1;
                }
                if (errno == Errno.EINVAL && whence != SEEK_SET) {
                    // No SEEK_DATA/SEEK_HOLE on this file system: treat the whole file as data.
                    return whence == SEEK_DATA ? offset : Long.MAX_VALUE;
                }
                throw new SyscallException("lseek", errno, fd + ", " + offset + ", " + whence);
            }
            return rc;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** ftruncate(2): sets the size of an open file (extending with a hole). */
    public static void truncate(int fd, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            while (true) {
                int rc = (int) FTRUNCATE.invokeExact(state, fd, size);
                if (rc == 0) {
                    return;
                }
                if (Downcalls.errno(state) != Errno.EINTR) {
                    throw new SyscallException("ftruncate", Downcalls.errno(state), fd + ", " + size);
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
