package jctr.kernel.layer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jctr.kernel.KernelException;
import jctr.kernel.spi.Usage;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.FileStat;

/**
 * Whole-tree operations storage drivers share. None of them follows a symlink, and none crosses into
 * another file system: a mount left inside a tree (a container's rootfs still mounted) stops a
 * deletion instead of letting it delete through the mount.
 */
public final class FileTrees {

    private FileTrees() {
    }

    /**
     * Deletes {@code path} and, if it is a directory, everything below it. A missing path is fine.
     *
     * @throws KernelException FAILED_PRECONDITION if a mount point is found below {@code path}
     */
    public static void deleteRecursively(Path path) {
        Optional<FileStat> top = FileMeta.lstatIfExists(path);
        if (top.isEmpty()) {
            return;
        }
        if (!top.get().isDirectory()) {
            delete(path);
            return;
        }
        long dev = top.get().dev();
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (FileMeta.lstat(dir).dev() != dev) {
                        throw new KernelException(KernelException.Category.FAILED_PRECONDITION,
                                dir + " is a mount point: unmount it before deleting " + path);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new KernelException(KernelException.Category.INTERNAL, "cannot delete " + path + ": " + e, e);
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new KernelException(KernelException.Category.INTERNAL, "cannot delete " + p + ": " + e, e);
        }
    }

    /**
     * Disk usage of the tree at {@code path}: allocated bytes ({@code st_blocks * 512}, so sparse files
     * count what they occupy) and inodes, each hard-linked inode once, {@code path} itself included.
     */
    public static Usage usage(Path path) {
        Set<Long> linked = new HashSet<>();
        long[] totals = new long[2];
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    count(FileMeta.lstat(dir));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    count(FileMeta.lstat(file));
                    return FileVisitResult.CONTINUE;
                }

                private void count(FileStat st) {
                    // Hard links: count the inode once (inode numbers are unique within the one file system walked).
                    if (st.nlink() > 1 && !st.isDirectory() && !linked.add(st.ino())) {
                        return;
                    }
                    totals[0] += st.allocatedBytes();
                    totals[1]++;
                }
            });
        } catch (NoSuchFileException e) {
            throw new jctr.kernel.NotFoundException(path + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("measuring " + path, e);
        }
        return new Usage(totals[0], totals[1]);
    }

    /** The names in directory {@code dir}, sorted (so walks are deterministic). */
    public static List<String> list(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                names.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir, e);
        }
        names.sort(null);
        return names;
    }
}
