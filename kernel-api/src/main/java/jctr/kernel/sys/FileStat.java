package jctr.kernel.sys;

import java.time.Instant;

/**
 * What statx(2) reports about one file (not following a final symlink when obtained with
 * {@link FileMeta#lstat}).
 *
 * @param dev the device of the file system holding the file (as {@link OpenFlags#makedev})
 * @param ino the inode number; with {@code dev} it identifies the file (hard links share it)
 * @param mode file type bits ({@link OpenFlags#S_IFMT}) and permission bits (07777)
 * @param nlink number of hard links
 * @param rdevMajor major device number of a character or block device, else 0
 * @param rdevMinor minor device number of a character or block device, else 0
 * @param size the size in bytes (for a symlink: the length of its target)
 * @param blocks 512-byte blocks allocated (smaller than size/512 for sparse files)
 */
public record FileStat(long dev, long ino, int mode, long nlink, int uid, int gid, int rdevMajor, int rdevMinor,
                       long size, long blocks, Instant atime, Instant mtime, Instant ctime) {

    /** The file type bits alone, e.g. {@link OpenFlags#S_IFREG}. */
    public int type() {
        return mode & OpenFlags.S_IFMT;
    }

    /** The permission bits including setuid, setgid and sticky (07777). */
    public int permissions() {
        return mode & 07777;
    }

    public boolean isDirectory() {
        return type() == OpenFlags.S_IFDIR;
    }

    public boolean isRegularFile() {
        return type() == OpenFlags.S_IFREG;
    }

    public boolean isSymlink() {
        return type() == OpenFlags.S_IFLNK;
    }

    public boolean isCharDevice() {
        return type() == OpenFlags.S_IFCHR;
    }

    public boolean isBlockDevice() {
        return type() == OpenFlags.S_IFBLK;
    }

    public boolean isFifo() {
        return type() == OpenFlags.S_IFIFO;
    }

    public boolean isSocket() {
        return type() == OpenFlags.S_IFSOCK;
    }

    /** Bytes the file occupies on disk ({@code blocks * 512}). */
    public long allocatedBytes() {
        return blocks * 512;
    }
}
