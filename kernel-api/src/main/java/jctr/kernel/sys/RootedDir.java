package jctr.kernel.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import static jctr.kernel.sys.Downcalls.C_LONG;
import static jctr.kernel.sys.Downcalls.C_POINTER;

/**
 * A directory used as a root for path resolution, like a chroot without the process-wide effect:
 * openat2(2) with {@code RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS} resolves paths below it so that
 * {@code ..}, absolute symlinks and relative symlink chains all stay inside it. This is how untrusted
 * paths (a layer tar's entries, symlinks a container created) are turned into host paths.
 *
 * <p>openat2 needs Linux 5.6. Close the instance to release its descriptor.
 */
public final class RootedDir implements AutoCloseable {

    /** __NR_openat2 on x86_64 and in the generic syscall table. */
    private static final long NR_OPENAT2 = 437;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02;
    private static final long RESOLVE_IN_ROOT = 0x10;
    /** sizeof(struct open_how): u64 flags, u64 mode, u64 resolve. */
    private static final long OPEN_HOW_SIZE = 24;
    private static final int MAX_RETRIES = 32;

    // long syscall(long number, ...): every argument is passed as a full register.
    private static final MethodHandle SYSCALL = Downcalls.withErrnoVariadic("syscall",
            FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_POINTER, C_POINTER, C_LONG), 1);

    private final Path root;
    private final int fd;

    private RootedDir(Path root, int fd) {
        this.root = root;
        this.fd = fd;
    }

    /** Opens {@code root} (which must be a directory; a symlink is not followed) as a resolution root. */
    public static RootedDir open(Path root) {
        Path absolute = root.toAbsolutePath().normalize();
        int fd = PosixFiles.open(absolute, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY | OpenFlags.O_NOFOLLOW
                | OpenFlags.O_CLOEXEC, 0);
        return new RootedDir(absolute, fd);
    }

    /** The root as given to {@link #open} (absolute, normalized). */
    public Path root() {
        return root;
    }

    /**
     * Resolves {@code relative} inside the root, following symlinks as if the root were {@code /},
     * to a directory, and returns its host path (always the root or below it).
     *
     * @throws SyscallException ENOENT if a component is missing (also a dangling symlink), ENOTDIR if
     *         one is not a directory, ELOOP for too many symlinks, EXDEV for magic links
     */
    public Path resolveDirectory(String relative) {
        if (relative.isEmpty()) {
            return root;
        }
        return realPath(openat2(relative, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC), relative);
    }

    /**
     * Resolves {@code relative} inside the root like {@link #resolveDirectory}, to a file of any type (a
     * symlink in the last component is followed too, inside the root), and returns its host path.
     *
     * @throws SyscallException ENOENT if a component is missing (also a dangling symlink), ELOOP for too
     *         many symlinks, EXDEV for magic links
     */
    public Path resolve(String relative) {
        if (relative.isEmpty()) {
            return root;
        }
        return realPath(openat2(relative, OpenFlags.O_PATH | OpenFlags.O_CLOEXEC), relative);
    }

    /** The host path of an O_PATH descriptor from {@link #openat2}, which it closes. */
    private Path realPath(int pathFd, String relative) {
        try {
            Path real = Files.readSymbolicLink(Path.of("/proc/self/fd/" + pathFd));
            if (!real.startsWith(root)) {
                // openat2 guarantees this; a failure here means the root was moved while in use.
                throw new SyscallException("openat2", Errno.EXDEV, root + ", " + relative + " resolved to " + real);
            }
            return real;
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/fd/" + pathFd, e);
        } finally {
            PosixFiles.close(pathFd);
        }
    }

    private int openat2(String relative, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment how = arena.allocate(OPEN_HOW_SIZE, 8);
            how.set(ValueLayout.JAVA_LONG, 0, Integer.toUnsignedLong(flags));
            how.set(ValueLayout.JAVA_LONG, 8, 0L);
            how.set(ValueLayout.JAVA_LONG, 16, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
            MemorySegment cPath = arena.allocateFrom(relative);
            for (int attempt = 0; ; attempt++) {
                long rc = (long) SYSCALL.invokeExact(state, NR_OPENAT2, (long) fd, cPath, how, OPEN_HOW_SIZE);
                if (rc >= 0) {
                    return (int) rc;
                }
                int errno = Downcalls.errno(state);
                // EAGAIN: a concurrent rename or mount made the kernel give up on a safe answer; ask again.
                if (errno != Errno.EINTR && !(errno == Errno.EAGAIN && attempt < MAX_RETRIES)) {
                    throw new SyscallException("openat2", errno, root + ", \"" + relative + "\", RESOLVE_IN_ROOT");
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void close() {
        PosixFiles.close(fd);
    }
}
