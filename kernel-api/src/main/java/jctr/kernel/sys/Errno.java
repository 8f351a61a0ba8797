package jctr.kernel.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import jctr.kernel.KernelException.Category;

/**
 * Linux errno values (x86_64 and the generic table) as named constants, their symbolic names and
 * descriptions (from glibc's thread-safe {@code strerrorname_np}/{@code strerrordesc_np}), and the
 * one table that maps an errno to a {@link Category}.
 */
public final class Errno {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int ENOEXEC = 8;
    public static final int EBADF = 9;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    /** Same value as EAGAIN on Linux. */
    public static final int EWOULDBLOCK = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int ENOTBLK = 15;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ETXTBSY = 26;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int EPIPE = 32;
    public static final int EDOM = 33;
    public static final int ERANGE = 34;
    public static final int EDEADLK = 35;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOLCK = 37;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int ENOMSG = 42;
    public static final int ENODATA = 61;
    public static final int ETIME = 62;
    public static final int EPROTO = 71;
    public static final int EBADMSG = 74;
    public static final int EOVERFLOW = 75;
    public static final int EBADFD = 77;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;
    public static final int ESTALE = 116;
    public static final int EDQUOT = 122;
    public static final int ECANCELED = 125;
    public static final int EOWNERDEAD = 130;

    /** The largest errno value Linux defines (EHWPOISON). */
    public static final int MAX = 133;

    private static final MethodHandle STRERRORNAME_NP = Downcalls.plain("strerrorname_np",
            FunctionDescriptor.of(Downcalls.C_POINTER, Downcalls.C_INT));
    private static final MethodHandle STRERRORDESC_NP = Downcalls.plain("strerrordesc_np",
            FunctionDescriptor.of(Downcalls.C_POINTER, Downcalls.C_INT));

    private Errno() {
    }

    /** The symbolic name of an errno value, e.g. {@code ENOENT}; {@code errno 1234} for unknown values. */
    public static String name(int errno) {
        String name = call(STRERRORNAME_NP, errno);
        return name != null ? name : "errno " + errno;
    }

    /** The description of an errno value, e.g. {@code No such file or directory}. */
    public static String describe(int errno) {
        String desc = call(STRERRORDESC_NP, errno);
        return desc != null ? desc : "Unknown error " + errno;
    }

    /** The error category for an errno value: the one mapping table jctr uses. */
    public static Category category(int errno) {
        return switch (errno) {
            case ENOENT, ESRCH, ENXIO, ENODEV, ECHILD -> Category.NOT_FOUND;
            case EEXIST, EADDRINUSE -> Category.ALREADY_EXISTS;
            case EPERM, EACCES, EROFS -> Category.PERMISSION_DENIED;
            case ENOSYS, EOPNOTSUPP, EAFNOSUPPORT -> Category.UNSUPPORTED;
            case EINVAL, E2BIG, ENAMETOOLONG, ENOTDIR, EISDIR, EBADF, ELOOP, EXDEV, ENOEXEC -> Category.INVALID_ARGUMENT;
            case EBUSY, ENOTEMPTY, ETXTBSY, EALREADY, EINPROGRESS, ESTALE -> Category.FAILED_PRECONDITION;
            case ENOMEM, ENOSPC, EDQUOT, EMFILE, ENFILE, EAGAIN, ENOBUFS, EFBIG, EMLINK -> Category.RESOURCE_EXHAUSTED;
            case ETIMEDOUT, ETIME -> Category.TIMEOUT;
            default -> Category.INTERNAL;
        };
    }

    private static String call(MethodHandle handle, int errno) {
        try {
            return Downcalls.readCString((MemorySegment) handle.invokeExact(errno));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
