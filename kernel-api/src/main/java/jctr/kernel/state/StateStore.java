package jctr.kernel.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;

import jctr.kernel.AlreadyExistsException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.lifecycle.ContainerStatus;
import jctr.kernel.lifecycle.Lifecycle;
import jctr.kernel.lifecycle.LifecycleEvent;
import jctr.kernel.oci.OciJson;
import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.SyscallException;

/**
 * The on-disk record of every container, one directory per container under a root such as
 * {@code /run/jctr}: {@code <root>/<id>/state.json} plus whatever files drivers keep there.
 *
 * <ul>
 *   <li><b>Atomic writes</b>: a record is written to a temp file, fsynced, renamed over
 *       {@code state.json}, and the directory is fsynced. A reader sees the old or the new record, never a mix.</li>
 *   <li><b>Atomic creation</b>: a new container's directory is built under a temp name with its first
 *       record, then renamed into place; an existing id makes the rename fail.</li>
 *   <li><b>Locking</b>: {@link #lock} takes flock(2) on the container directory, which excludes other
 *       threads and other jctr processes alike.</li>
 *   <li><b>Recovery</b>: {@link #recover} marks containers whose init process is gone as stopped and
 *       removes what a crash left half-done (temp directories and files).</li>
 * </ul>
 */
public final class StateStore {

    private static final String STATE_FILE = "state.json";
    private static final String CREATING_PREFIX = ".creating-";
    private static final String TRASH_PREFIX = ".trash-";
    private static final String TMP_MARK = AtomicFiles.TMP_MARK;

    /** Test seam: called between writing the temp file and renaming it (where a crash loses nothing). */
    interface WriteHook {
        void beforeRename(Path tmp, Path target);
    }

    private final Path root;
    private final WriteHook hook;

    /** A store rooted at {@code root}, created (mode 0700) if missing. */
    public StateStore(Path root) {
        this(root, (tmp, target) -> { });
    }

    StateStore(Path root, WriteHook hook) {
        this.root = root.toAbsolutePath();
        this.hook = hook;
        try {
            Files.createDirectories(this.root);
            Files.setPosixFilePermissions(this.root, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create state root " + this.root, e);
        }
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    /** The directory of container {@code id} (it may not exist). Drivers may keep files in it. */
    public Path containerDir(String id) {
        return root.resolve(ContainerIds.check(id));
    }

    /**
     * Creates container {@code first.id()} with its first record and returns it locked.
     *
     * @throws AlreadyExistsException if a container with that id exists
     */
    public ContainerLock create(ContainerRecord first) {
        String id = ContainerIds.check(first.id());
        Path dir = root.resolve(id);
        if (Files.exists(dir)) {
            throw new AlreadyExistsException("container " + id + " already exists");
        }
        Path tmp = root.resolve(CREATING_PREFIX + id + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        DirLock lock = null;
        try {
            Files.createDirectory(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
            writeAtomically(tmp.resolve(STATE_FILE), OciJson.writeCompact(first));
            lock = DirLock.acquire(id, tmp);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                throw new AlreadyExistsException("container " + id + " already exists");
            }
            fsyncDirectory(root);
            return lock;
        } catch (IOException e) {
            throw new UncheckedIOException("creating state for container " + id, e);
        } catch (RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            deleteTree(tmp);
            throw e;
        }
    }

    /**
     * Locks container {@code id} (blocking until other holders release it).
     *
     * @throws NotFoundException if no such container exists (or it was deleted while waiting)
     */
    public ContainerLock lock(String id) {
        Path dir = containerDir(id);
        while (true) {
            DirLock lock;
            try {
                lock = DirLock.acquire(id, dir);
            } catch (SyscallException e) {
                if (e.category() == KernelException.Category.NOT_FOUND) {
                    throw new NotFoundException("container " + id + " does not exist");
                }
                throw e;
            }
            // The holder we waited for may have deleted (renamed away) the directory.
            if (lock.stillAt(dir) && Files.exists(dir.resolve(STATE_FILE))) {
                return lock;
            }
            lock.close();
            if (!Files.exists(dir)) {
                throw new NotFoundException("container " + id + " does not exist");
            }
        }
    }

    /** The record of container {@code id}, if it exists. Lock-free: a reader sees a whole record. */
    public Optional<ContainerRecord> find(String id) {
        Path file = containerDir(id).resolve(STATE_FILE);
        try {
            return Optional.of(OciJson.readFile(file, ContainerRecord.class, false).value());
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * The record of container {@code id}.
     *
     * @throws NotFoundException if it does not exist
     */
    public ContainerRecord get(String id) {
        return find(id).orElseThrow(() -> new NotFoundException("container " + id + " does not exist"));
    }

    /** Replaces the record of a container; the caller must hold its {@link #lock}. */
    public void save(ContainerLock lock, ContainerRecord record) {
        if (!lock.id().equals(record.id())) {
            throw new IllegalArgumentException("lock for " + lock.id() + " used to save " + record.id());
        }
        writeAtomically(containerDir(record.id()).resolve(STATE_FILE), OciJson.writeCompact(record));
    }

    /**
     * Deletes a container's directory and everything in it; the caller must hold its lock, which
     * stays valid (but refers to nothing) until closed.
     */
    public void delete(ContainerLock lock) {
        Path dir = containerDir(lock.id());
        Path trash = root.resolve(TRASH_PREFIX + lock.id() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(root);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("deleting state of container " + lock.id(), e);
        }
        deleteTree(trash);
    }

    /** Every container's record, sorted by id. Directories without a readable record are skipped. */
    public List<ContainerRecord> list() {
        List<ContainerRecord> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, p -> !p.getFileName().toString().startsWith("."))) {
            for (Path dir : ds) {
                try {
                    find(dir.getFileName().toString()).ifPresent(out::add);
                } catch (KernelException e) {
                    // A corrupt or foreign directory must not hide the other containers.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + root, e);
        }
        out.sort(Comparator.comparing(ContainerRecord::id));
        return out;
    }

    /**
     * Brings the records in line with reality after a crash or reboot: every container whose init process
     * is no longer alive (per {@code alive}) is marked stopped, and directories and temp files left by an
     * interrupted create, delete or write are removed.
     *
     * @param alive tells whether a record's init process still runs (normally pid + start time check)
     * @return the records after recovery
     */
    public List<ContainerRecord> recover(Predicate<ContainerRecord> alive) {
        cleanLeftovers();
        List<ContainerRecord> out = new ArrayList<>();
        for (ContainerRecord r : list()) {
            if (r.status() == ContainerStatus.STOPPED || alive.test(r)) {
                out.add(r);
                continue;
            }
            try (ContainerLock lock = lock(r.id())) {
                ContainerRecord fresh = get(r.id());
                if (fresh.status() != ContainerStatus.STOPPED && !alive.test(fresh)) {
                    fresh = fresh.withStatus(Lifecycle.apply(fresh.id(), fresh.status(), LifecycleEvent.EXIT));
                    save(lock, fresh);
                }
                out.add(fresh);
            } catch (NotFoundException e) {
                // deleted concurrently
            }
        }
        return out;
    }

    private void cleanLeftovers() {
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(CREATING_PREFIX) || name.startsWith(TRASH_PREFIX)) {
                    try (DirLock l = DirLock.tryAcquire(name, p)) {
                        if (l != null) {
                            deleteTree(p);
                        }
                    } catch (SyscallException e) {
                        // vanished meanwhile
                    }
                } else if (Files.isDirectory(p)) {
                    try (Stream<Path> files = Files.list(p)) {
                        for (Path f : files.toList()) {
                            if (f.getFileName().toString().startsWith(STATE_FILE + TMP_MARK)) {
                                Files.deleteIfExists(f);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cleaning " + root, e);
        }
    }

    private void writeAtomically(Path target, byte[] content) {
        AtomicFiles.write(target, content, hook::beforeRename);
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        AtomicFiles.fsyncDirectory(dir);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + dir, e);
        }
    }

    /** flock(2) on a directory descriptor. */
    private static final class DirLock implements ContainerLock {
        private final String id;
        private int fd;

        private DirLock(String id, int fd) {
            this.id = id;
            this.fd = fd;
        }

        static DirLock acquire(String id, Path dir) {
            int fd = PosixFiles.open(dir, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
            try {
                PosixFiles.flock(fd, PosixFiles.LOCK_EX);
                return new DirLock(id, fd);
            } catch (RuntimeException e) {
                PosixFiles.close(fd);
                throw e;
            }
        }

        static DirLock tryAcquire(String id, Path dir) {
            int fd = PosixFiles.open(dir, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
            if (PosixFiles.flock(fd, PosixFiles.LOCK_EX | PosixFiles.LOCK_NB)) {
                return new DirLock(id, fd);
            }
            PosixFiles.close(fd);
            return null;
        }

        /** Whether {@code dir} is still the directory this lock holds (not renamed away and replaced). */
        boolean stillAt(Path dir) {
            try {
                Object locked = Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:ino");
                Object current = Files.getAttribute(dir, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                return locked.equals(current);
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public synchronized void close() {
            if (fd >= 0) {
                PosixFiles.close(fd); // closing the last descriptor releases the flock
                fd = -1;
            }
        }
    }
}
