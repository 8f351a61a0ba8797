package jctr.ns.launch;

import java.util.List;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.SyscallException;
import jctr.ns.plan.Op;

/**
 * Turns the native stage's (operation index, errno) report into an error that names the config field
 * the operation came from, e.g. {@code mounts[3]: mount /data on /mnt: ENOENT (No such file or directory)}.
 */
public final class LaunchFailure {

    private LaunchFailure() {
    }

    /** The error for operation {@code index} of {@code ops} failing with {@code errno}. */
    public static KernelException of(List<Op> ops, int index, int errno) {
        if (index < 0 || index >= ops.size()) {
            return new SyscallException("jctr-init", errno, "reading the launch plan (operation " + index + ")");
        }
        Op op = ops.get(index);
        // The tasks file is missing (ENOENT at open) or its cgroup was removed after the open (ENODEV at write).
        if ((op instanceof Op.CgroupOpen || op instanceof Op.CgroupJoin) && (errno == Errno.ENOENT || errno == Errno.ENODEV)) {
            return new NotFoundException("cgroup of the container is gone: " + op.describe() + ": " + Errno.name(errno)
                    + " (" + Errno.describe(errno) + ")", new SyscallException("jctr-init", errno, op.describe()));
        }
        return of(op.field(), describe(op, errno), errno);
    }

    /**
     * The error for an operation with {@code field} and {@code description} failing with {@code errno}:
     * an {@link InvalidConfigException} naming the field (with the {@link SyscallException} as its
     * cause), or the bare {@link SyscallException} for an internal step.
     */
    public static KernelException of(String field, String description, int errno) {
        SyscallException cause = new SyscallException("jctr-init", errno, description);
        if (field.isEmpty()) {
            return cause;
        }
        return new InvalidConfigException("", field,
                description + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")", cause);
    }

    /** The operation's description, worded for the common failures users can fix. */
    public static String describe(Op op, int errno) {
        if (op instanceof Op.ResolveExec r && (errno == Errno.ENOENT || errno == Errno.EACCES)) {
            String what = errno == Errno.ENOENT ? "not found" : "not executable";
            return r.name().contains("/") ? "executable \"" + r.name() + "\" " + what + " in the container"
                    : "executable \"" + r.name() + "\" " + what + " in the container's PATH " + r.searchPath();
        }
        return op.describe();
    }
}
