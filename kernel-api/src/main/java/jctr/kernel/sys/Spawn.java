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

    private static final MethodHandle POSIX_SPAWN = Downcalls.plain("posix_spawn", FunctionDescriptor.of(C_INT,
            C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle FA_INIT = Downcalls.plain("posix_spawn_file_actions_init",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle FA_DESTROY = Downcalls.plain("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle FA_DUP2 = Downcalls.plain("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle FA_OPEN = Downcalls.plain("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle FA_CLOSEFROM = Downcalls.plain("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle ATTR_INIT = Downcalls.plain("posix_spawnattr_init",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle ATTR_DESTROY = Downcalls.plain("posix_spawnattr_destroy",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle ATTR_SETFLAGS = Downcalls.plain("posix_spawnattr_setflags",
            FunctionDescriptor.of(C_INT, C_POINTER, Downcalls.C_SHORT));
    private static final MethodHandle ATTR_SETSIGDEFAULT = Downcalls.plain("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle ATTR_SETSIGMASK = Downcalls.plain("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle SIGFILLSET = Downcalls.plain("sigfillset",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle SIGEMPTYSET = Downcalls.plain("sigemptyset",
            FunctionDescriptor.of(C_INT, C_POINTER));

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
            check("posix_spawn_file_actions_init", (int) FA_INIT.invokeExact(fa), "");
            check("posix_spawnattr_init", (int) ATTR_INIT.invokeExact(attr), "");
            try {
                for (FileAction action : actions) {
                    switch (action) {
                        case Dup2 d -> check("posix_spawn_file_actions_adddup2",
                                (int) FA_DUP2.invokeExact(fa, d.fd(), d.newFd()), d.fd() + ", " + d.newFd());
                        case Open o -> check("posix_spawn_file_actions_addopen",
                                (int) FA_OPEN.invokeExact(fa, o.fd(), arena.allocateFrom(o.path().toString()),
                                        o.flags(), o.mode()), o.fd() + ", " + o.path());
                        case CloseFrom c -> check("posix_spawn_file_actions_addclosefrom_np",
                                (int) FA_CLOSEFROM.invokeExact(fa, c.lowFd()), Integer.toString(c.lowFd()));
                    }
                }
                MemorySegment all = arena.allocate(SIGSET_SIZE, 8);
                MemorySegment none = arena.allocate(SIGSET_SIZE, 8);
                int ignored = (int) SIGFILLSET.invokeExact(all);
                ignored = (int) SIGEMPTYSET.invokeExact(none);
                check("posix_spawnattr_setsigdefault", (int) ATTR_SETSIGDEFAULT.invokeExact(attr, all), "");
                check("posix_spawnattr_setsigmask", (int) ATTR_SETSIGMASK.invokeExact(attr, none), "");
                check("posix_spawnattr_setflags", (int) ATTR_SETFLAGS.invokeExact(attr,
                        (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)), "");
                MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
                int rc = (int) POSIX_SPAWN.invokeExact(pid, arena.allocateFrom(program.toString()), fa, attr,
                        stringArray(arena, argv), stringArray(arena, env));
                check("posix_spawn", rc, program.toString());
                return pid.get(ValueLayout.JAVA_INT, 0);
            } finally {
                int ignored = (int) FA_DESTROY.invokeExact(fa);
                ignored = (int) ATTR_DESTROY.invokeExact(attr);
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
