package jctr.kernel.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import static jctr.kernel.sys.Downcalls.C_INT;
import static jctr.kernel.sys.Downcalls.C_POINTER;

/**
 * posix_spawn(3): starts a program as a child of this JVM without running any Java code in the child
 * (glibc uses a vfork-style clone and execs at once), with explicit file actions to lay out the child's
 * descriptors. Unlike {@link ProcessBuilder}, this can hand extra descriptors (sockets, pipes) to the
 * child at chosen numbers.
 *
 * <p>The child starts with every signal at its default disposition and an empty signal mask, so the
 * JVM's own signal setup does not leak into it.
 */
public final class Spawn {

    /** What to do with the child's descriptors before it execs, in order. */
    public sealed interface FileAction permits Dup2, Open, CloseFrom {
    }

    /** {@code dup2(fd, newFd)} in the child; the new descriptor has FD_CLOEXEC cleared. */
    public record Dup2(int fd, int newFd) implements FileAction {
    }

    /** {@code open(path, flags, mode)} in the child, placed at {@code fd}. */
    public record Open(int fd, Path path, int flags, int mode) implements FileAction {
        public Open {
            Objects.requireNonNull(path, "path");
        }
    }

    /** Closes every descriptor from {@code lowFd} up in the child (glibc 2.34+). */
    public record CloseFrom(int lowFd) implements FileAction {
    }

    // Opaque glibc types; sized with room to spare (x86_64: attr 336, file actions 80, sigset 128 bytes).
    private static final long ATTR_SIZE = 512;
    private static final long FILE_ACTIONS_SIZE = 256;
    private static final long SIGSET_SIZE = 128;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;

    // Each handle is bound in a holder class of its own, on the first call: binding spins classes (a
    // few ms each), and a short-lived jctr-runc calls only some of this class's functions.
    private static final class PosixSpawn {
        static final MethodHandle HANDLE = Downcalls.plain("posix_spawn",
                FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER));
    }

    private static final class FaInit {
        static final MethodHandle HANDLE = Downcalls.plain("posix_spawn_file_actions_init",
                FunctionDescriptor.of(C_INT, C_POINTER));
    }

    private static final class FaDestroy {
        static final MethodHandle HANDLE = Downcalls.plain("posix_spawn_file_actions_destroy",
                FunctionDescriptor.of(C_INT, C_POINTER));
    }

    private static final class FaDup2 {
        static final MethodHandle HANDLE = Downcalls.plain("posix_spawn_file_actions_adddup2",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT));
    }

    private static final class FaOpen {
        static final MethodHandle HANDLE = Downcalls.plain("posix_spawn_file_actions_addopen",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_INT, C_INT));
    }

    private static final class FaClosefrom {
        static final MethodHandle HANDLE = Downcalls.plain("posix_spawn_file_actions_addclosefrom_np",
                FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    }

    private static final class AttrInit {
        static final MethodHandle HANDLE = Downcalls.plain("posix_spawnattr_init",
                FunctionDescriptor.of(C_INT, C_POINTER));
    }

    private static final class AttrDestroy {
        static final MethodHandle HANDLE = Downcalls.plain("posix_spawnattr_destroy",
                FunctionDescriptor.of(C_INT, C_POINTER));
    }

    private static final class AttrSetflags {
        static final MethodHandle HANDLE = Downcalls.plain("posix_spawnattr_setflags",
                FunctionDescriptor.of(C_INT, C_POINTER, Downcalls.C_SHORT));
    }

    private static final class AttrSetsigdefault {
        static final MethodHandle HANDLE = Downcalls.plain("posix_spawnattr_setsigdefault",
                FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    }

    private static final class AttrSetsigmask {
        static final MethodHandle HANDLE = Downcalls.plain("posix_spawnattr_setsigmask",
                FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    }

    private static final class Sigfillset {
        static final MethodHandle HANDLE = Downcalls.plain("sigfillset", FunctionDescriptor.of(C_INT, C_POINTER));
    }

    private static final class Sigemptyset {
        static final MethodHandle HANDLE = Downcalls.plain("sigemptyset", FunctionDescriptor.of(C_INT, C_POINTER));
    }

    private Spawn() {
    }

    /**
     * Starts {@code program} with {@code argv} and {@code env} (each {@code KEY=value}) as a child of
     * this process. Descriptors of the JVM that are not close-on-exec are inherited unless a
     * {@link CloseFrom} action closes them.
     *
     * @return the child's pid; the caller must reap it (e.g. {@link Processes#pidfdOpen} + {@link Processes#waitFor})
     * @throws SyscallException when a file action or the exec fails in the child (posix_spawn reports it)
     */
    public static int spawn(Path program, List<String> argv, List<String> env, List<FileAction> actions) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fa = arena.allocate(FILE_ACTIONS_SIZE, 8);
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            check("posix_spawn_file_actions_init", (int) FaInit.HANDLE.invokeExact(fa), "");
            check("posix_spawnattr_init", (int) AttrInit.HANDLE.invokeExact(attr), "");
            try {
                for (FileAction action : actions) {
                    switch (action) {
                        case Dup2 d -> check("posix_spawn_file_actions_adddup2",
                                (int) FaDup2.HANDLE.invokeExact(fa, d.fd(), d.newFd()), d.fd() + ", " + d.newFd());
                        case Open o -> check("posix_spawn_file_actions_addopen",
                                (int) FaOpen.HANDLE.invokeExact(fa, o.fd(), arena.allocateFrom(o.path().toString()),
                                        o.flags(), o.mode()), o.fd() + ", " + o.path());
                        case CloseFrom c -> check("posix_spawn_file_actions_addclosefrom_np",
                                (int) FaClosefrom.HANDLE.invokeExact(fa, c.lowFd()), Integer.toString(c.lowFd()));
                    }
                }
                MemorySegment all = arena.allocate(SIGSET_SIZE, 8);
                MemorySegment none = arena.allocate(SIGSET_SIZE, 8);
                int ignored = (int) Sigfillset.HANDLE.invokeExact(all);
                ignored = (int) Sigemptyset.HANDLE.invokeExact(none);
                check("posix_spawnattr_setsigdefault", (int) AttrSetsigdefault.HANDLE.invokeExact(attr, all), "");
                check("posix_spawnattr_setsigmask", (int) AttrSetsigmask.HANDLE.invokeExact(attr, none), "");
                check("posix_spawnattr_setflags", (int) AttrSetflags.HANDLE.invokeExact(attr,
                        (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)), "");
                MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
                int rc = (int) PosixSpawn.HANDLE.invokeExact(pid, arena.allocateFrom(program.toString()), fa, attr,
                        stringArray(arena, argv), stringArray(arena, env));
                check("posix_spawn", rc, program.toString());
                return pid.get(ValueLayout.JAVA_INT, 0);
            } finally {
                int ignored = (int) FaDestroy.HANDLE.invokeExact(fa);
                ignored = (int) AttrDestroy.HANDLE.invokeExact(attr);
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The posix_spawn family returns an error number instead of setting errno. */
    private static void check(String call, int rc, String args) {
        if (rc != 0) {
            throw new SyscallException(call, rc, args);
        }
    }

    private static MemorySegment stringArray(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ValueLayout.ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }
}
