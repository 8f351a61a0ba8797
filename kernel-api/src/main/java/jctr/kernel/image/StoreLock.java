package jctr.kernel.image;

import java.nio.file.Path;

import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;

/**
 * An flock(2) on a lock file of the image store. Each acquisition opens the file anew, so the lock
 * excludes other threads of this JVM as well as other jctr processes (the CLI and the engine).
 * Close to release.
 */
final class StoreLock implements AutoCloseable {

    private int fd;

    private StoreLock(int fd) {
        this.fd = fd;
    }

    /** Blocks until the exclusive lock is held. */
    static StoreLock exclusive(Path file) {
        return acquire(file, PosixFiles.LOCK_EX);
    }

    /** Blocks until a shared lock is held (excluded only by exclusive holders). */
    static StoreLock shared(Path file) {
        return acquire(file, PosixFiles.LOCK_SH);
    }

    /** The exclusive lock if it is free right now, else null. */
    static StoreLock tryExclusive(Path file) {
        int fd = open(file);
        if (PosixFiles.flock(fd, PosixFiles.LOCK_EX | PosixFiles.LOCK_NB)) {
            return new StoreLock(fd);
        }
        PosixFiles.close(fd);
        return null;
    }

    private static StoreLock acquire(Path file, int operation) {
        int fd = open(file);
        try {
            PosixFiles.flock(fd, operation);
            return new StoreLock(fd);
        } catch (RuntimeException e) {
            PosixFiles.close(fd);
            throw e;
        }
    }

    private static int open(Path file) {
        return PosixFiles.open(file, OpenFlags.O_RDWR | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC, 0600);
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            PosixFiles.close(fd); // the last descriptor of the open file description releases the lock
            fd = -1;
        }
    }
}
