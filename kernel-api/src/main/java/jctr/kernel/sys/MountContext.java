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

import static jctr.kernel.sys.Downcalls.C_INT;
import static jctr.kernel.sys.Downcalls.C_LONG;
import static jctr.kernel.sys.Downcalls.C_POINTER;
import static jctr.kernel.sys.Downcalls.C_SIZE_T;

/**
 * The new mount API (Linux 5.2): a file system context from fsopen(2), configured one parameter at a
 * time with fsconfig(2), turned into a detached mount with fsmount(2) and attached with move_mount(2).
 * Unlike mount(2) there is no page-size limit on the options (overlayfs' {@code lowerdir+} adds one
 * layer per call on Linux 6.8+), and the kernel explains a refusal in messages that this class puts
 * into the {@link SyscallException}.
 */
public final class MountContext implements AutoCloseable {

    private static final int FSOPEN_CLOEXEC = 1;
    private static final int FSCONFIG_SET_FLAG = 0;
    private static final int FSCONFIG_SET_STRING = 1;
    private static final int FSCONFIG_CMD_CREATE = 6;
    private static final int FSMOUNT_CLOEXEC = 1;
    private static final int MOVE_MOUNT_F_EMPTY_PATH = 4;

    private static final MethodHandle FSOPEN = Downcalls.withErrno("fsopen",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle FSCONFIG = Downcalls.withErrno("fsconfig",
            FunctionDescriptor.of(C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_INT));
    private static final MethodHandle FSMOUNT = Downcalls.withErrno("fsmount",
            FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT));
    private static final MethodHandle MOVE_MOUNT = Downcalls.withErrno("move_mount",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_POINTER, C_INT));
    private static final MethodHandle READ = Downcalls.withErrno("read",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_SIZE_T));

    private final String fsType;
    private final int fd;

    private MountContext(String fsType, int fd) {
        this.fsType = fsType;
        this.fd = fd;
    }

    /** fsopen(2): a new context for file system type {@code fsType} (e.g. {@code overlay}). */
    public static MountContext open(String fsType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int fd = (int) FSOPEN.invokeExact(state, arena.allocateFrom(fsType), FSOPEN_CLOEXEC);
            if (fd < 0) {
                throw new SyscallException("fsopen", Downcalls.errno(state), fsType);
            }
            return new MountContext(fsType, fd);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** fsconfig(FSCONFIG_SET_STRING): sets parameter {@code key} to {@code value}, e.g. {@code upperdir}. */
    public MountContext set(String key, String value) {
        config(FSCONFIG_SET_STRING, key, value);
        return this;
    }

    /** fsconfig(FSCONFIG_SET_FLAG): sets a parameter without value, e.g. {@code ro}. */
    public MountContext setFlag(String key) {
        config(FSCONFIG_SET_FLAG, key, null);
        return this;
    }

    /**
     * Creates the file system (FSCONFIG_CMD_CREATE), makes a mount of it (fsmount) and attaches that
     * at {@code target} (move_mount).
     *
     * @param mountAttributes MOUNT_ATTR_* bits for the new mount (0 for none)
     */
    public void mountAt(Path target, int mountAttributes) {
        config(FSCONFIG_CMD_CREATE, null, null);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int mountFd = (int) FSMOUNT.invokeExact(state, fd, FSMOUNT_CLOEXEC, mountAttributes);
            if (mountFd < 0) {
                throw failure("fsmount", Downcalls.errno(state), fsType);
            }
            try {
                int rc = (int) MOVE_MOUNT.invokeExact(state, mountFd, arena.allocateFrom(""), OpenFlags.AT_FDCWD,
                        arena.allocateFrom(target.toString()), MOVE_MOUNT_F_EMPTY_PATH);
                if (rc != 0) {
                    throw failure("move_mount", Downcalls.errno(state), fsType + " -> " + target);
                }
            } finally {
                PosixFiles.close(mountFd);
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private void config(int cmd, String key, String value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment cKey = key == null ? MemorySegment.NULL : arena.allocateFrom(key);
            MemorySegment cValue = value == null ? MemorySegment.NULL : arena.allocateFrom(value);
            int rc = (int) FSCONFIG.invokeExact(state, fd, cmd, cKey, cValue, 0);
            if (rc != 0) {
                String what = key == null ? "create" : value == null ? key : key + "=" + value;
                throw failure("fsconfig", Downcalls.errno(state), fsType + ", " + what);
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The exception for a failed call, with the kernel's messages from the context appended. */
    private SyscallException failure(String call, int errno, String args) {
        List<String> messages = messages();
        return new SyscallException(call, errno, messages.isEmpty() ? args : args + "; kernel says: "
                + String.join("; ", messages));
    }

    /** The messages the kernel logged to this context (read(2) on the fd until ENODATA). */
    private List<String> messages() {
        List<String> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            MemorySegment buf = arena.allocate(4096);
            for (int i = 0; i < 16; i++) {
                long n = (long) READ.invokeExact(state, fd, buf, 4095L);
                if (n <= 0) {
                    break;
                }
                out.add(new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8).trim());
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
        return out;
    }

    @Override
    public void close() {
        PosixFiles.close(fd);
    }
}
