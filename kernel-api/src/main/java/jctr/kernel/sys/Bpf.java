package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import jctr.kernel.UnsupportedFeatureException;

import static jctr.kernel.sys.Downcalls.C_LONG;
import static jctr.kernel.sys.Downcalls.C_POINTER;

/**
 * bpf(2): loading eBPF programs and attaching them to cgroups. glibc has no wrapper, so the calls go
 * through {@code syscall(2)} with the architecture's syscall number.
 *
 * <p>Programs are passed as their encoded instructions (8 bytes each, in the host's byte order, as
 * {@code struct bpf_insn}); building them is the caller's business. Descriptors returned here belong
 * to the caller, who closes them with {@link PosixFiles#close}. An attached program stays attached
 * after its descriptor is closed: the cgroup holds its own reference until the program is detached
 * or the cgroup is removed.
 */
public final class Bpf {

    /** {@code BPF_PROG_TYPE_CGROUP_DEVICE}: decides device access for the processes of a cgroup. */
    public static final int PROG_TYPE_CGROUP_DEVICE = 15;
    /** {@code BPF_CGROUP_DEVICE}: the attach type of device programs. */
    public static final int ATTACH_CGROUP_DEVICE = 6;
    /** {@code BPF_F_ALLOW_OVERRIDE}: descendants may attach their own program, which then replaces this one. */
    public static final int F_ALLOW_OVERRIDE = 1;
    /** {@code BPF_F_ALLOW_MULTI}: several programs per cgroup, all of which must allow. */
    public static final int F_ALLOW_MULTI = 2;

    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_ATTACH = 8;
    private static final int BPF_PROG_DETACH = 9;
    private static final int BPF_PROG_GET_FD_BY_ID = 13;
    private static final int BPF_PROG_QUERY = 16;

    /** Large enough for every {@code union bpf_attr} member used here; the kernel requires the tail to be zero. */
    private static final long ATTR_SIZE = 128;
    private static final int INSN_SIZE = 8;
    private static final int LOG_SIZE = 1 << 16;
    private static final int MAX_QUERY_IDS = 64;

    private static final long SYS_BPF = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 321;
        case "aarch64" -> 280;
        case "riscv64" -> 280;
        default -> -1;
    };

    // long syscall(long number, ...): every argument is passed as a 64-bit value.
    private static final MethodHandle SYSCALL = Downcalls.withErrnoVariadic("syscall",
            FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_POINTER, C_LONG), 1);

    private Bpf() {
    }

    /**
     * BPF_PROG_LOAD: verifies and loads a program.
     *
     * @param progType e.g. {@link #PROG_TYPE_CGROUP_DEVICE}
     * @param instructions the encoded program, a multiple of 8 bytes
     * @param license the program's license (matters only for GPL-only helpers)
     * @param name a name shown by bpftool, at most 15 characters of {@code [A-Za-z0-9_.]}
     * @return the program's descriptor
     * @throws SyscallException if the verifier or the kernel refuses; the verifier's log is in the message
     */
    public static int progLoad(int progType, byte[] instructions, String license, String name) {
        if (instructions.length == 0 || instructions.length % INSN_SIZE != 0) {
            throw new IllegalArgumentException("an eBPF program is a non-empty multiple of 8 bytes, got "
                    + instructions.length);
        }
        if (!name.matches("[A-Za-z0-9_.]{0,15}")) {
            throw new IllegalArgumentException("invalid eBPF program name: " + name);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(instructions.length, 8);
            MemorySegment.copy(instructions, 0, insns, ValueLayout.JAVA_BYTE, 0, instructions.length);
            MemorySegment lic = arena.allocateFrom(license);
            String args = "BPF_PROG_LOAD, type " + progType + ", " + instructions.length / INSN_SIZE + " insns";
            MemorySegment attr = loadAttr(arena, progType, insns, instructions.length / INSN_SIZE, lic, name);
            try {
                return (int) call(BPF_PROG_LOAD, attr, args);
            } catch (SyscallException first) {
                if (!first.is(Errno.EINVAL) && !first.is(Errno.EACCES) && !first.is(Errno.EPERM)) {
                    throw first;
                }
                // Load again with the verifier's log switched on, only to explain the failure.
                MemorySegment log = arena.allocate(LOG_SIZE);
                MemorySegment verbose = loadAttr(arena, progType, insns, instructions.length / INSN_SIZE, lic, name);
                verbose.set(ValueLayout.JAVA_INT, 24, 1);
                verbose.set(ValueLayout.JAVA_INT, 28, LOG_SIZE);
                verbose.set(ValueLayout.JAVA_LONG, 32, log.address());
                try {
                    int fd = (int) call(BPF_PROG_LOAD, verbose, args);
                    PosixFiles.close(fd);
                } catch (SyscallException second) {
                    // the first error is the one to report; the log explains it
                }
                String text = log.getString(0, StandardCharsets.UTF_8).strip();
                if (text.length() > 2000) {
                    text = "..." + text.substring(text.length() - 2000);
                }
                throw new SyscallException("bpf", first.errno(), args + (text.isEmpty() ? "" : ", verifier: " + text));
            }
        }
    }

    /**
     * BPF_PROG_ATTACH: attaches a loaded program to the cgroup directory {@code cgroupFd}.
     *
     * @param attachType e.g. {@link #ATTACH_CGROUP_DEVICE}
     * @param flags 0, {@link #F_ALLOW_OVERRIDE} or {@link #F_ALLOW_MULTI}
     */
    public static void progAttach(int cgroupFd, int progFd, int attachType, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, cgroupFd);
            attr.set(ValueLayout.JAVA_INT, 4, progFd);
            attr.set(ValueLayout.JAVA_INT, 8, attachType);
            attr.set(ValueLayout.JAVA_INT, 12, flags);
            call(BPF_PROG_ATTACH, attr, "BPF_PROG_ATTACH, cgroup fd " + cgroupFd + ", prog fd " + progFd
                    + ", attach type " + attachType + ", flags " + flags);
        }
    }

    /** BPF_PROG_DETACH: detaches the program {@code progFd} from the cgroup directory {@code cgroupFd}. */
    public static void progDetach(int cgroupFd, int progFd, int attachType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, cgroupFd);
            attr.set(ValueLayout.JAVA_INT, 4, progFd);
            attr.set(ValueLayout.JAVA_INT, 8, attachType);
            call(BPF_PROG_DETACH, attr, "BPF_PROG_DETACH, cgroup fd " + cgroupFd + ", prog fd " + progFd
                    + ", attach type " + attachType);
        }
    }

    /**
     * BPF_PROG_QUERY: the ids of the programs attached directly to the cgroup directory {@code cgroupFd}
     * with {@code attachType} (not those inherited from ancestors).
     */
    public static int[] progQuery(int cgroupFd, int attachType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ids = arena.allocate(ValueLayout.JAVA_INT, MAX_QUERY_IDS);
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, cgroupFd);
            attr.set(ValueLayout.JAVA_INT, 4, attachType);
            attr.set(ValueLayout.JAVA_LONG, 16, ids.address());
            attr.set(ValueLayout.JAVA_INT, 24, MAX_QUERY_IDS);
            call(BPF_PROG_QUERY, attr, "BPF_PROG_QUERY, cgroup fd " + cgroupFd + ", attach type " + attachType);
            int count = Math.min(attr.get(ValueLayout.JAVA_INT, 24), MAX_QUERY_IDS);
            return ids.asSlice(0, (long) count * Integer.BYTES).toArray(ValueLayout.JAVA_INT);
        }
    }

    /** BPF_PROG_GET_FD_BY_ID: a descriptor for the loaded program with this id (to detach it, for example). */
    public static int progFdById(int id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, id);
            return (int) call(BPF_PROG_GET_FD_BY_ID, attr, "BPF_PROG_GET_FD_BY_ID, id " + id);
        }
    }

    private static MemorySegment loadAttr(Arena arena, int progType, MemorySegment insns, int count,
                                          MemorySegment license, String name) {
        MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
        attr.set(ValueLayout.JAVA_INT, 0, progType);
        attr.set(ValueLayout.JAVA_INT, 4, count);
        attr.set(ValueLayout.JAVA_LONG, 8, insns.address());
        attr.set(ValueLayout.JAVA_LONG, 16, license.address());
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(n, 0, attr, ValueLayout.JAVA_BYTE, 48, n.length);
        return attr;
    }

    /** One bpf(2) call, retried on EINTR and on EAGAIN (a verifier interrupted by a signal). */
    private static long call(int cmd, MemorySegment attr, String args) {
        if (SYS_BPF < 0) {
            throw new UnsupportedFeatureException("bpf(2) syscall number unknown on " + System.getProperty("os.arch"));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int attempts = 0;
            while (true) {
                long rc = (long) SYSCALL.invokeExact(state, SYS_BPF, (long) cmd, attr, ATTR_SIZE);
                if (rc >= 0) {
                    return rc;
                }
                int errno = Downcalls.errno(state);
                if (errno != Errno.EINTR && !(errno == Errno.EAGAIN && ++attempts < 5)) {
                    throw new SyscallException("bpf", errno, args);
                }
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
