package jctr.kernel.sys;

import jctr.kernel.KernelException;

/**
 * A system call or libc function failed. Carries the call's name, the errno value with its symbolic
 * name and description, and the arguments that matter for diagnosis, e.g.
 * {@code mount("/data", "/mnt", bind): ENOENT (No such file or directory)}.
 */
public class SyscallException extends KernelException {

    private final String call;
    private final int errno;
    private final String args;

    public SyscallException(String call, int errno, String args) {
        super(Errno.category(errno), call + "(" + args + "): " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.call = call;
        this.errno = errno;
        this.args = args;
    }

    /** The function that failed, e.g. {@code pidfd_open}. */
    public String call() {
        return call;
    }

    /** The errno value. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno name, e.g. {@code ENOENT}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** The kernel's description of the errno value, e.g. {@code No such file or directory}. */
    public String strerror() {
        return Errno.describe(errno);
    }

    /** The arguments of the failed call as shown in the message. */
    public String args() {
        return args;
    }

    /** Whether this failure has the given errno value. */
    public boolean is(int errnoValue) {
        return errno == errnoValue;
    }
}
