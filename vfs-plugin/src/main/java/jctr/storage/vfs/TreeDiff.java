package jctr.storage.vfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Optional;
import java.util.TreeSet;

import jctr.kernel.layer.FileTrees;
import jctr.kernel.layer.LayerDiffWriter;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.FileStat;
import jctr.kernel.sys.Symlinks;
import jctr.kernel.sys.Xattrs;

/**
 * A vfs container's changes as an OCI layer, found by comparing its rootfs with the image's top layer
 * (vfs keeps no record of writes). A path is
 * <ul>
 *   <li><b>deleted</b> if the layer has it and the rootfs does not: a whiteout;</li>
 *   <li><b>added</b> if only the rootfs has it: written with everything below it;</li>
 *   <li><b>changed</b> if the type, mode, owner, size, mtime, device numbers, symlink target or
 *       extended attributes differ, or, when all of those are equal but the file's ctime says it was
 *       touched after the rootfs was prepared (e.g. rewritten with the same size and its mtime put
 *       back), if the content differs byte for byte.</li>
 * </ul>
 * Directories that contain a change are written too (before it), so the layer carries their metadata.
 */
final class TreeDiff {

    private final Path rootfs;
    private final Path layer;
    private final Instant preparedAt;
    private final LayerDiffWriter writer;
    /** Unchanged directories on the current path, written only once something below them is. */
    private final Deque<String[]> pendingDirs = new ArrayDeque<>();

    /**
     * @param layer the top layer's tree, or null for an image without layers
     * @param preparedAt the ctime of a file written right after the rootfs copy finished
     */
    private TreeDiff(Path rootfs, Path layer, Instant preparedAt, OutputStream out) {
        this.rootfs = rootfs;
        this.layer = layer;
        this.preparedAt = preparedAt;
        this.writer = new LayerDiffWriter(out);
    }

    static void write(Path rootfs, Path layer, Instant preparedAt, OutputStream out) {
        TreeDiff diff = new TreeDiff(rootfs, layer, preparedAt, out);
        diff.compareDirectory("");
        diff.writer.finish();
    }

    private void compareDirectory(String rel) {
        Path upperDir = rel.isEmpty() ? rootfs : rootfs.resolve(rel);
        Path lowerDir = layer == null ? null : rel.isEmpty() ? layer : layer.resolve(rel);
        TreeSet<String> names = new TreeSet<>(FileTrees.list(upperDir));
        if (lowerDir != null) {
            names.addAll(FileTrees.list(lowerDir));
        }
        for (String name : names) {
            String relPath = rel.isEmpty() ? name : rel + "/" + name;
            Path upper = upperDir.resolve(name);
            Optional<FileStat> u = FileMeta.lstatIfExists(upper);
            Optional<FileStat> l = lowerDir == null ? Optional.empty() : FileMeta.lstatIfExists(lowerDir.resolve(name));
            if (u.isEmpty()) {
                flushPending();
                writer.whiteout(relPath, Instant.EPOCH);
            } else if (l.isEmpty() || u.get().type() != l.get().type()) {
                flushPending();
                addTree(relPath, upper, u.get());
            } else if (u.get().isDirectory()) {
                if (metadataDiffers(upper, u.get(), lowerDir.resolve(name), l.get())) {
                    flushPending();
                    writer.add(relPath, upper);
                    compareDirectory(relPath);
                } else {
                    String[] entry = {relPath, upper.toString()};
                    pendingDirs.addLast(entry);
                    compareDirectory(relPath);
                    if (pendingDirs.peekLast() == entry) {
                        pendingDirs.pollLast(); // nothing below changed: the directory stays out
                    }
                }
            } else if (changed(upper, u.get(), lowerDir.resolve(name), l.get())) {
                flushPending();
                writer.add(relPath, upper);
            }
        }
    }

    private void addTree(String relPath, Path upper, FileStat st) {
        writer.add(relPath, upper);
        if (st.isDirectory()) {
            for (String name : FileTrees.list(upper)) {
                Path child = upper.resolve(name);
                addTree(relPath + "/" + name, child, FileMeta.lstat(child));
            }
        }
    }

    /** Writes the unchanged directories above the next member, outermost first. */
    private void flushPending() {
        while (!pendingDirs.isEmpty()) {
            String[] d = pendingDirs.pollFirst();
            writer.add(d[0], Path.of(d[1]));
        }
    }

    private static boolean metadataDiffers(Path upper, FileStat u, Path lower, FileStat l) {
        return u.permissions() != l.permissions() || u.uid() != l.uid() || u.gid() != l.gid()
                || !u.mtime().equals(l.mtime()) || !sameXattrs(upper, lower);
    }

    private boolean changed(Path upper, FileStat u, Path lower, FileStat l) {
        if (metadataDiffers(upper, u, lower, l) || u.size() != l.size()
                || u.rdevMajor() != l.rdevMajor() || u.rdevMinor() != l.rdevMinor()) {
            return true;
        }
        if (u.isSymlink()) {
            return !Symlinks.read(upper).equals(Symlinks.read(lower));
        }
        if (u.isRegularFile() && u.ctime().compareTo(preparedAt) >= 0) {
            return !sameContent(upper, lower); // touched since prepare, metadata restored: compare bytes
        }
        return false;
    }

    private static boolean sameXattrs(Path a, Path b) {
        var xa = Xattrs.getAll(a);
        var xb = Xattrs.getAll(b);
        if (!xa.keySet().equals(xb.keySet())) {
            return false;
        }
        return xa.keySet().stream().allMatch(k -> Arrays.equals(xa.get(k), xb.get(k)));
    }

    private static boolean sameContent(Path a, Path b) {
        try (InputStream ia = Files.newInputStream(a); InputStream ib = Files.newInputStream(b)) {
            byte[] ba = new byte[65536];
            byte[] bb = new byte[65536];
            while (true) {
                int na = ia.readNBytes(ba, 0, ba.length);
                int nb = ib.readNBytes(bb, 0, bb.length);
                if (na != nb || !Arrays.equals(ba, 0, na, bb, 0, nb)) {
                    return false;
                }
                if (na == 0) {
                    return true;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("comparing " + a + " with " + b, e);
        }
    }
}
