package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static jctr.kernel.sys.Downcalls.C_INT;
import static jctr.kernel.sys.Downcalls.C_LONG;
import static jctr.kernel.sys.Downcalls.C_POINTER;

/** mount(2) and umount2(2). Flags are in {@link MountFlags}. */
public final class Mounts {

    private static final MethodHandle MOUNT = Downcalls.withErrno("mount",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_LONG, C_POINTER));
    private static final MethodHandle UMOUNT2 = Downcalls.withErrno("umount2",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));

    private Mounts() {
    }

    /**
     * mount(2).
     *
     * @param source the device or directory, or a name such as {@code proc}/{@code overlay}; may be null
     * @param target the mount point
     * @param fsType the file system type; null for bind, move and propagation changes
     * @param flags {@link MountFlags} MS_* bits
     * @param data file-system specific options (e.g. overlay's lowerdir=...); may be null
     * @throws SyscallException with the errno the kernel returned
     */
    public static void mount(String source, Path target, String fsType, long flags, String data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) MOUNT.invokeExact(state, cString(arena, source), arena.allocateFrom(target.toString()),
                    cString(arena, fsType), flags, cString(arena, data));
            if (rc != 0) {
                throw new SyscallException("mount", Downcalls.errno(state),
                        describe(source, target, fsType, flags, data));
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** A bind mount of {@code source} on {@code target}; recursive when {@code recursive}. */
    public static void bind(Path source, Path target, boolean recursive) {
        mount(source.toString(), target, null, MountFlags.MS_BIND | (recursive ? MountFlags.MS_REC : 0), null);
    }

    /** Changes the propagation of the mount at {@code target} (MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE, maybe | MS_REC). */
    public static void propagation(Path target, long propagationFlags) {
        mount(null, target, null, propagationFlags, null);
    }

    /**
     * umount2(2).
     *
     * @param flags {@link MountFlags} MNT_* / UMOUNT_* bits
     */
    public static void unmount(Path target, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) UMOUNT2.invokeExact(state, arena.allocateFrom(target.toString()), flags);
            if (rc != 0) {
                throw new SyscallException("umount2", Downcalls.errno(state), target + ", " + flags);
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private static MemorySegment cString(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
    }

    private static String describe(String source, Path target, String fsType, long flags, String data) {
        StringBuilder sb = new StringBuilder();
        sb.append(source == null ? "NULL" : '"' + source + '"').append(", \"").append(target).append("\", ");
        sb.append(fsType == null ? "NULL" : '"' + fsType + '"').append(", 0x").append(Long.toHexString(flags));
        if (data != null) {
            sb.append(", \"").append(data.length() > 200 ? data.substring(0, 200) + "..." : data).append('"');
        }
        return sb.toString();
    }
}
