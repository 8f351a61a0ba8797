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
import static jctr.kernel.sys.Downcalls.C_POINTER;

/**
 * inotify(7): change notifications for files, e.g. a cgroup's {@code memory.events}, which the kernel
 * marks modified whenever one of its counters moves. The descriptor is non-blocking and close-on-exec;
 * close it with {@link PosixFiles#close}.
 */
public final class Inotify {

    /** The file was written (for cgroup files: a counter or state changed). */
    public static final int IN_MODIFY = 0x00000002;
    /** The watched file itself was deleted. */
    public static final int IN_DELETE_SELF = 0x00000400;
    /** The event queue overflowed; events were lost. */
    public static final int IN_Q_OVERFLOW = 0x00004000;
    /** The watch was removed (explicitly, or because the file went away). */
    public static final int IN_IGNORED = 0x00008000;

    private static final int IN_CLOEXEC = OpenFlags.O_CLOEXEC;
    private static final int IN_NONBLOCK = OpenFlags.O_NONBLOCK;
    private static final int EVENT_HEADER = 16;
    private static final int BUFFER_SIZE = 4096;

    private static final MethodHandle INIT1 = Downcalls.withErrno("inotify_init1",
            FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle ADD_WATCH = Downcalls.withErrno("inotify_add_watch",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    private static final MethodHandle RM_WATCH = Downcalls.withErrno("inotify_rm_watch",
            FunctionDescriptor.of(C_INT, C_INT, C_INT));

    /**
     * One inotify event.
     *
     * @param watch the watch descriptor {@link #addWatch} returned
     * @param mask what happened ({@link #IN_MODIFY}, {@link #IN_IGNORED}, ...)
     * @param name the file name within a watched directory, or empty
     */
    public record Event(int watch, int mask, String name) {
        /** Whether {@code bit} is set in the mask. */
        public boolean is(int bit) {
            return (mask & bit) != 0;
        }
    }

    private Inotify() {
    }

    /** inotify_init1(IN_NONBLOCK | IN_CLOEXEC): a new inotify instance. */
    public static int open() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int fd = (int) INIT1.invokeExact(state, IN_NONBLOCK | IN_CLOEXEC);
            if (fd < 0) {
                throw new SyscallException("inotify_init1", Downcalls.errno(state), "IN_NONBLOCK|IN_CLOEXEC");
            }
            return fd;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** inotify_add_watch(2): watches {@code path} for the events in {@code mask}; returns the watch descriptor. */
    public static int addWatch(int fd, Path path, int mask) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int wd = (int) ADD_WATCH.invokeExact(state, fd, arena.allocateFrom(path.toString()), mask);
            if (wd < 0) {
                throw new SyscallException("inotify_add_watch", Downcalls.errno(state),
                        fd + ", " + path + ", 0x" + Integer.toHexString(mask));
            }
            return wd;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * inotify_rm_watch(2). The kernel queues an {@link #IN_IGNORED} event for the watch, which wakes a
     * thread waiting in {@link #read}. Throws EINVAL if the watch is already gone.
     */
    public static void removeWatch(int fd, int watch) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Downcalls.callState(arena);
            int rc = (int) RM_WATCH.invokeExact(state, fd, watch);
            if (rc != 0) {
                throw new SyscallException("inotify_rm_watch", Downcalls.errno(state), fd + ", " + watch);
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (negative: forever) for events and returns those queued;
     * an empty list when the time ran out. EINTR counts as a timeout.
     */
    public static List<Event> read(int fd, int timeoutMillis) {
        if (!PosixFiles.pollReadable(fd, timeoutMillis)) {
            return List.of();
        }
        byte[] data;
        try {
            data = PosixFiles.read(fd, BUFFER_SIZE);
        } catch (SyscallException e) {
            if (e.is(Errno.EAGAIN)) {
                return List.of();
            }
            throw e;
        }
        return parse(MemorySegment.ofArray(data), data.length);
    }

    // struct inotify_event { int wd; uint32_t mask; uint32_t cookie; uint32_t len; char name[len]; }
    private static List<Event> parse(MemorySegment buffer, long length) {
        List<Event> events = new ArrayList<>();
        long offset = 0;
        while (offset + EVENT_HEADER <= length) {
            int wd = buffer.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
            int mask = buffer.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 4);
            int nameLength = buffer.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 12);
            String name = nameLength == 0 ? ""
                    : buffer.asSlice(offset + EVENT_HEADER, nameLength).getString(0, StandardCharsets.UTF_8);
            events.add(new Event(wd, mask, name));
            offset += EVENT_HEADER + nameLength;
        }
        return events;
    }
}
