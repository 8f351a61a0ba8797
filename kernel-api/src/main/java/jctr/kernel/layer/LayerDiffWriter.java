package jctr.kernel.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.FileStat;
import jctr.kernel.sys.Symlinks;
import jctr.kernel.sys.Xattrs;

/**
 * Writes a storage driver's diff as an OCI layer tar: files taken from the host with their metadata,
 * plus OCI whiteouts. What it decides for every driver:
 * <ul>
 *   <li>mtimes are truncated to whole seconds (plain ustar headers, as Docker's diffs; a PAX header
 *       per member for nanoseconds would double the size of small layers);</li>
 *   <li>hard links within the diff become tar hard links to the first name written;</li>
 *   <li>overlayfs' own xattrs ({@code trusted.overlay.*}) are never written; other xattrs are;</li>
 *   <li>sockets are skipped (tar cannot hold them);</li>
 *   <li>a whiteout is an empty regular file {@code .wh.<name>}, an opaque directory gets a
 *       {@code .wh..wh..opq} member right after its own.</li>
 * </ul>
 * Paths are relative to the layer root, without a leading {@code /} or {@code ./}.
 */
public final class LayerDiffWriter {

    private final TarWriter tar;
    /** inode of a hard-linked file to the name it was first written under. */
    private final Map<Long, String> linked = new HashMap<>();

    public LayerDiffWriter(OutputStream out) {
        this.tar = new TarWriter(out);
    }

    /** Writes the file at {@code hostPath} (not following a symlink) as member {@code relPath}. */
    public void add(String relPath, Path hostPath) {
        FileStat st = FileMeta.lstat(hostPath);
        Instant mtime = Instant.ofEpochSecond(st.mtime().getEpochSecond());
        if (st.isSocket()) {
            return;
        }
        if (!st.isDirectory() && st.nlink() > 1) {
            String first = linked.putIfAbsent(st.ino(), relPath);
            if (first != null) {
                tar.write(TarEntry.hardLink(relPath, first, mtime), null);
                return;
            }
        }
        TarEntry.Type type;
        if (st.isDirectory()) {
            type = TarEntry.Type.DIRECTORY;
        } else if (st.isRegularFile()) {
            type = TarEntry.Type.REGULAR;
        } else if (st.isSymlink()) {
            type = TarEntry.Type.SYMLINK;
        } else if (st.isCharDevice()) {
            type = TarEntry.Type.CHAR_DEVICE;
        } else if (st.isBlockDevice()) {
            type = TarEntry.Type.BLOCK_DEVICE;
        } else {
            type = TarEntry.Type.FIFO;
        }
        Map<String, byte[]> xattrs = new TreeMap<>(Xattrs.getAll(hostPath));
        xattrs.keySet().removeIf(k -> k.startsWith("trusted.overlay."));
        String link = type == TarEntry.Type.SYMLINK ? Symlinks.read(hostPath) : "";
        long size = type == TarEntry.Type.REGULAR ? st.size() : 0;
        TarEntry entry = new TarEntry(relPath, type, st.permissions(), st.uid(), st.gid(), size, mtime, null, link,
                st.rdevMajor(), st.rdevMinor(), xattrs);
        if (type == TarEntry.Type.REGULAR) {
            try (InputStream in = Files.newInputStream(hostPath)) {
                tar.write(entry, in);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + hostPath + " for the diff", e);
            }
        } else {
            tar.write(entry, null);
        }
    }

    /** Writes the whiteout for {@code relPath}: {@code <dir>/.wh.<name>}. */
    public void whiteout(String relPath, Instant mtime) {
        int slash = relPath.lastIndexOf('/');
        String name = slash < 0 ? ".wh." + relPath : relPath.substring(0, slash + 1) + ".wh." + relPath.substring(slash + 1);
        tar.write(TarEntry.file(name, 0644, 0, 0, 0, Instant.ofEpochSecond(mtime.getEpochSecond())), InputStream.nullInputStream());
    }

    /** Writes the opaque marker of directory {@code relDir}: {@code <dir>/.wh..wh..opq}. */
    public void opaque(String relDir, Instant mtime) {
        tar.write(TarEntry.file(relDir + "/.wh..wh..opq", 0644, 0, 0, 0, Instant.ofEpochSecond(mtime.getEpochSecond())),
                InputStream.nullInputStream());
    }

    /** Ends the archive. */
    public void finish() {
        tar.finish();
    }
}
