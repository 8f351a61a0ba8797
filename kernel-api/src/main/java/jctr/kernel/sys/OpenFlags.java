package jctr.kernel.sys;

/** open(2) flags and file-type bits from {@code <fcntl.h>} and {@code <sys/stat.h>} (x86_64/generic). */
public final class OpenFlags {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;

    /** Special value for *at() calls: relative to the current working directory. */
    public static final int AT_FDCWD = -100;
    /** *at() calls: do not follow a symlink in the final path component. */
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** unlinkat(2): remove a directory. */
    public static final int AT_REMOVEDIR = 0x200;
    /** *at() calls: operate on the descriptor itself when the path is empty. */
    public static final int AT_EMPTY_PATH = 0x1000;

    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;

    private OpenFlags() {
    }

    /** A device number from its major and minor parts, as glibc's makedev(3). */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }
}
