package jctr.kernel.layer;

import java.nio.file.Path;

import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;

/**
 * An exclusive lock on a storage driver's data (flock(2) on a lock file), held while the driver
 * changes which layers and containers exist. It excludes other threads (each acquisition opens the file
 * anew, and flock locks belong to the open file) and other jctr processes alike.
 *
 * <pre>{@code try (StorageLock lock = StorageLock.acquire(dataDir.resolve("lock"))) { ... }}</pre>
 */
public final class StorageLock implements AutoCloseable {

    private final int fd;

    private StorageLock(int fd) {
        this.fd = fd;
    }

    /** Blocks until the lock on {@code lockFile} (created if missing) is held. */
    public static StorageLock acquire(Path lockFile) {
        int fd = PosixFiles.open(lockFile, OpenFlags.O_RDWR | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC, 0600);
        try {
            PosixFiles.flock(fd, PosixFiles.LOCK_EX);
            return new StorageLock(fd);
        } catch (RuntimeException e) {
            PosixFiles.close(fd);
            throw e;
        }
    }

    @Override
    public void close() {
        PosixFiles.close(fd); // releases the lock
    }
}
