package jctr.kernel.sys;

/** Namespace and clone flags from {@code <linux/sched.h>}, as used by clone3(2), unshare(2), setns(2). */
public final class CloneFlags {
    public static final long CLONE_NEWTIME = 0x00000080L;
    public static final long CLONE_FS = 0x00000200L;
    public static final long CLONE_FILES = 0x00000400L;
    public static final long CLONE_PIDFD = 0x00001000L;
    public static final long CLONE_NEWNS = 0x00020000L;
    public static final long CLONE_NEWCGROUP = 0x02000000L;
    public static final long CLONE_NEWUTS = 0x04000000L;
    public static final long CLONE_NEWIPC = 0x08000000L;
    public static final long CLONE_NEWUSER = 0x10000000L;
    public static final long CLONE_NEWPID = 0x20000000L;
    public static final long CLONE_NEWNET = 0x40000000L;
    /** clone3 only: start the child in the cgroup whose directory fd is passed in {@code cgroup}. */
    public static final long CLONE_INTO_CGROUP = 0x200000000L;

    private CloneFlags() {
    }
}
