package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static jctr.kernel.sys.Downcalls.C_INT;
import static jctr.kernel.sys.Downcalls.C_LONG;
import static jctr.kernel.sys.Downcalls.C_POINTER;
import static jctr.kernel.sys.Downcalls.C_SIZE_T;

/**
 * Extended attributes of a path itself (the l* calls: a symlink is not followed), in every namespace
 * ({@code user.}, {@code trusted.}, {@code security.}, {@code system.}); java.nio only reaches
 * {@code user.}. Values are raw bytes.
 */
public final class Xattrs {

    private static final MethodHandle LLISTXATTR = Downcalls.withErrno("llistxattr",
            FunctionDescriptor.of(C_LONG, C_POINTER, C_POINTER, C_SIZE_T));
    private static final MethodHandle LGETXATTR = Downcalls.withErrno("lgetxattr",
            FunctionDescriptor.of(C_LONG, C_POINTER, C_POINTER, C_POINTER, C_SIZE_T));
    private static final MethodHandle LSETXATTR = Downcalls.withErrno("lsetxattr",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_SIZE_T, C_INT));
    private static final MethodHandle LREMOVEXATTR = Downcalls.withErrno("lremovexattr",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));

    /** The largest value the kernel accepts (XATTR_SIZE_MAX). */
    public static final int MAX_VALUE_SIZE = 65536;

    private Xattrs() {
    }

    /** The names of the extended attributes of {@code path}; empty if its file system has none. */
    public static List<String> list(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment cPath = arena.allocateFrom(path.toString());
            while (true) {
                long size = (long) LLISTXATTR.invokeExact(state, cPath, MemorySegment.NULL, 0L);
                if (size < 0) {
                    int errno = Downcalls.errno(state);
                    if (errno == Errno.EOPNOTSUPP) {
                        return List.of();
                    }
                    throw new SyscallException("llistxattr", errno, path.toString());
                }
                if (size == 0) {
                    return List.of();
                }
                MemorySegment buf = arena.allocate(size);
                long got = (long) LLISTXATTR.invokeExact(state, cPath, buf, size);
                if (got < 0) {
                    int errno = Downcalls.errno(state);
                    if (errno == Errno.ERANGE) {
                        continue; // an attribute was added in between: ask again
                    }
                    throw new SyscallException("llistxattr", errno, path.toString());
                }
                List<String> names = new ArrayList<>();
                int start = 0;
                for (int i = 0; i < got; i++) {
                    if (buf.get(ValueLayout.JAVA_BYTE, i) == 0) {
                        names.add(new String(buf.asSlice(start, i - start).toArray(ValueLayout.JAVA_BYTE),
                                StandardCharsets.UTF_8));
                        start = i + 1;
                    }
                }
                return names;
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The value of attribute {@code name} of {@code path}, or empty if it has none by that name. */
    public static Optional<byte[]> get(Path path, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment cPath = arena.allocateFrom(path.toString());
            MemorySegment cName = arena.allocateFrom(name);
            while (true) {
                long size = (long) LGETXATTR.invokeExact(state, cPath, cName, MemorySegment.NULL, 0L);
                if (size < 0) {
                    int errno = Downcalls.errno(state);
                    if (errno == Errno.ENODATA || errno == Errno.EOPNOTSUPP) {
                        return Optional.empty();
                    }
                    throw new SyscallException("lgetxattr", errno, path + ", " + name);
                }
                MemorySegment buf = arena.allocate(Math.max(size, 1));
                long got = (long) LGETXATTR.invokeExact(state, cPath, cName, buf, size);
                if (got < 0) {
                    int errno = Downcalls.errno(state);
                    if (errno == Errno.ERANGE) {
                        continue;
                    }
                    if (errno == Errno.ENODATA) {
                        return Optional.empty();
                    }
                    throw new SyscallException("lgetxattr", errno, path + ", " + name);
                }
                return Optional.of(buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE));
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Every attribute of {@code path} with its value, sorted by name. */
    public static Map<String, byte[]> getAll(Path path) {
        Map<String, byte[]> all = new TreeMap<>();
        for (String name : list(path)) {
            get(path, name).ifPresent(v -> all.put(name, v));
        }
        return all;
    }

    /** lsetxattr(2): creates or replaces attribute {@code name} of {@code path}. */
    public static void set(Path path, String name, byte[] value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment cValue = arena.allocate(Math.max(value.length, 1));
            MemorySegment.copy(value, 0, cValue, ValueLayout.JAVA_BYTE, 0, value.length);
            int rc = (int) LSETXATTR.invokeExact(state, arena.allocateFrom(path.toString()), arena.allocateFrom(name),
                    cValue, (long) value.length, 0);
            if (rc != 0) {
                throw new SyscallException("lsetxattr", Downcalls.errno(state),
                        path + ", " + name + ", " + value.length + " bytes");
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** lremovexattr(2): removes attribute {@code name}; removing a missing one succeeds. */
    public static void remove(Path path, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) LREMOVEXATTR.invokeExact(state, arena.allocateFrom(path.toString()), arena.allocateFrom(name));
            if (rc != 0 && Downcalls.errno(state) != Errno.ENODATA) {
                throw new SyscallException("lremovexattr", Downcalls.errno(state), path + ", " + name);
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
