package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static jctr.kernel.sys.Downcalls.C_INT;
import static jctr.kernel.sys.Downcalls.C_LONG;
import static jctr.kernel.sys.Downcalls.C_POINTER;

/**
 * symlink(2) and readlink(2) with the target as an exact string: java.nio parses targets as paths and
 * normalizes them (drops a trailing slash, collapses {@code //}), which a faithful copy or layer must not.
 */
public final class Symlinks {

    /** PATH_MAX: the longest symlink target (and path) Linux handles, including the NUL. */
    private static final int PATH_MAX = 4096;

    private static final MethodHandle SYMLINK = Downcalls.withErrno("symlink",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle READLINK = Downcalls.withErrno("readlink",
            FunctionDescriptor.of(C_LONG, C_POINTER, C_POINTER, C_LONG));

    private Symlinks() {
    }

    /** symlink(2): creates {@code linkPath} pointing at {@code target} exactly as given. */
    public static void create(String target, Path linkPath) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) SYMLINK.invokeExact(state, arena.allocateFrom(target), arena.allocateFrom(linkPath.toString()));
            if (rc != 0) {
                throw new SyscallException("symlink", Downcalls.errno(state), target + ", " + linkPath);
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** readlink(2): the target of symlink {@code path} exactly as stored. */
    public static String read(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment buf = arena.allocate(PATH_MAX);
            long n = (long) READLINK.invokeExact(state, arena.allocateFrom(path.toString()), buf, (long) PATH_MAX);
            if (n < 0) {
                throw new SyscallException("readlink", Downcalls.errno(state), path.toString());
            }
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
