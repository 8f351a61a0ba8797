package jctr.storage.vfs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jctr.kernel.KernelException;
import jctr.kernel.sys.FileCopy;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.FileStat;
import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Symlinks;
import jctr.kernel.sys.Xattrs;

/**
 * Copies a directory tree faithfully: owners, all mode bits, atime and mtime to the nanosecond,
 * extended attributes (all namespaces), hard links (an inode map: each inode's content is copied once,
 * its other names are linked to the copy), sparse files (only data extents are copied), symlinks
 * (their own owner and times), device nodes, FIFOs and sockets. File contents go by FICLONE (shared
 * extents) where the file system can, else copy_file_range, else read/write ({@link FileCopy}).
 *
 * <p>The walk (directories, links, special files) is sequential; regular files, which are the bulk of
 * the work, are copied by {@code threads} threads. Directory metadata is set last, after every entry
 * inside was created, so their mtimes are the source's.
 */
final class TreeCopier {

    /** What a copy did, by method (for measurements and {@code jctr info}). */
    record Stats(long files, long bytes, Map<FileCopy.Method, Long> byMethod) {
    }

    private final int threads;
    /** Cleared after the first refusal, so a file system without reflinks is not asked for every file. */
    private final AtomicBoolean tryClone = new AtomicBoolean(true);

    TreeCopier(int threads) {
        this.threads = Math.max(1, threads);
    }

    /** Copies the tree at {@code src} to {@code dst}, which must not exist. */
    Stats copy(Path src, Path dst) {
        Run run = new Run(src, dst);
        if (threads == 1) {
            return run.execute(null);
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("vfs-copy-", 0).factory())) {
            return run.execute(pool);
        }
    }

    private final class Run {
        private final Path src;
        private final Path dst;
        private final List<Path[]> directories = new ArrayList<>();
        private final List<Path[]> hardLinks = new ArrayList<>();
        private final Map<Long, Path> inodes = new HashMap<>();
        private final List<Future<?>> pending = new ArrayList<>();
        private final Map<FileCopy.Method, AtomicLong> methods = new EnumMap<>(FileCopy.Method.class);
        private final AtomicLong bytes = new AtomicLong();
        private long files;

        Run(Path src, Path dst) {
            this.src = src;
            this.dst = dst;
            for (FileCopy.Method m : FileCopy.Method.values()) {
                methods.put(m, new AtomicLong());
            }
        }

        Stats execute(ExecutorService pool) {
            try {
                Files.walkFileTree(src, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                        Path target = dst.resolve(src.relativize(dir).toString());
                        Files.createDirectory(target);
                        directories.add(new Path[] {dir, target});
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        visit(file, dst.resolve(src.relativize(file).toString()), pool);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        throw e;
                    }
                });
                for (Future<?> f : pending) {
                    f.get();
                }
            } catch (IOException e) {
                throw new KernelException(KernelException.Category.INTERNAL, "copying " + src + " to " + dst + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KernelException(KernelException.Category.INTERNAL, "interrupted while copying " + src, e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new KernelException(KernelException.Category.INTERNAL, "copying " + src + ": " + e.getCause(), e.getCause());
            }
            try {
                for (Path[] link : hardLinks) {
                    Files.createLink(link[1], link[0]);
                }
            } catch (IOException e) {
                throw new KernelException(KernelException.Category.INTERNAL, "linking in " + dst + ": " + e, e);
            }
            for (Path[] d : directories.reversed()) {
                copyMetadata(d[0], d[1], FileMeta.lstat(d[0]));
            }
            Map<FileCopy.Method, Long> byMethod = new EnumMap<>(FileCopy.Method.class);
            methods.forEach((m, n) -> byMethod.put(m, n.get()));
            return new Stats(files, bytes.get(), byMethod);
        }

        private void visit(Path file, Path target, ExecutorService pool) {
            FileStat st = FileMeta.lstat(file);
            if (st.isRegularFile()) {
                if (st.nlink() > 1) {
                    Path first = inodes.putIfAbsent(st.ino(), target);
                    if (first != null) {
                        hardLinks.add(new Path[] {first, target});
                        return;
                    }
                }
                files++;
                if (pool == null) {
                    copyFile(file, target, st);
                } else {
                    pending.add(pool.submit(() -> copyFile(file, target, st)));
                }
                return;
            }
            if (st.isSymlink()) {
                Symlinks.create(Symlinks.read(file), target);
            } else if (st.isFifo()) {
                PosixFiles.mkfifo(target, st.permissions() & 0777);
            } else {
                // character and block devices, sockets
                PosixFiles.mknod(target, st.type() | (st.permissions() & 0777), OpenFlags.makedev(st.rdevMajor(), st.rdevMinor()));
            }
            copyMetadata(file, target, st);
        }

        private void copyFile(Path file, Path target, FileStat st) {
            int in = PosixFiles.open(file, OpenFlags.O_RDONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC, 0);
            try {
                int out = PosixFiles.open(target, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL
                        | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC, 0600);
                try {
                    FileCopy.Method m = FileCopy.copyContents(in, out, st.size(), tryClone.get());
                    if (m != FileCopy.Method.CLONE && st.size() > 0) {
                        tryClone.set(false);
                    }
                    methods.get(m).incrementAndGet();
                    bytes.addAndGet(st.size());
                } finally {
                    PosixFiles.close(out);
                }
            } finally {
                PosixFiles.close(in);
            }
            copyMetadata(file, target, st);
        }
    }

    /** Owner, then mode (chown clears setuid/setgid), then xattrs (chown clears file capabilities), then times. */
    private static void copyMetadata(Path from, Path to, FileStat st) {
        FileMeta.lchown(to, st.uid(), st.gid());
        if (!st.isSymlink()) {
            FileMeta.chmod(to, st.permissions());
        }
        for (Map.Entry<String, byte[]> x : Xattrs.getAll(from).entrySet()) {
            Xattrs.set(to, x.getKey(), x.getValue());
        }
        FileMeta.setTimes(to, st.atime(), st.mtime());
    }
}
