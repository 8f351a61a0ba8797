package jctr.kernel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.FileStat;
import jctr.kernel.sys.Symlinks;
import jctr.kernel.sys.Xattrs;

/**
 * Everything observable about a directory tree, for comparing trees in tests: per relative path the
 * type, mode, owner, size, mtime, content digest, symlink target, device numbers, extended attributes,
 * and which paths are hard links of each other. The root itself is recorded as {@code "."}.
 */
public record TreeSnapshot(Map<String, Node> nodes) {

    /**
     * One file.
     *
     * @param type {@code dir}, {@code file}, {@code symlink}, {@code char}, {@code block}, {@code fifo}, {@code socket}
     * @param linkGroup the first path (in sorted order) of the same inode: equal for hard links
     */
    public record Node(String type, int mode, int uid, int gid, long size, Instant mtime, String content,
                       int rdevMajor, int rdevMinor, Map<String, String> xattrs, String linkGroup) {
    }

    /** Snapshot of {@code root}, all extended attributes included. */
    public static TreeSnapshot of(Path root) {
        return of(root, name -> true);
    }

    /** Snapshot of {@code root}, with only the extended attributes whose name {@code xattrFilter} accepts. */
    public static TreeSnapshot of(Path root, Predicate<String> xattrFilter) {
        Map<String, Node> nodes = new TreeMap<>();
        Map<Long, String> inodes = new TreeMap<>();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = new ArrayList<>(walk.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        paths.sort(null);
        for (Path p : paths) {
            String rel = root.equals(p) ? "." : root.relativize(p).toString();
            FileStat st = FileMeta.lstat(p);
            String type;
            String content = "";
            if (st.isDirectory()) {
                type = "dir";
            } else if (st.isRegularFile()) {
                type = "file";
                content = sha256(p);
            } else if (st.isSymlink()) {
                type = "symlink";
                content = Symlinks.read(p);
            } else if (st.isCharDevice()) {
                type = "char";
            } else if (st.isBlockDevice()) {
                type = "block";
            } else if (st.isFifo()) {
                type = "fifo";
            } else {
                type = "socket";
            }
            Map<String, String> xattrs = new TreeMap<>();
            Xattrs.getAll(p).forEach((k, v) -> {
                if (xattrFilter.test(k)) {
                    xattrs.put(k, HexFormat.of().formatHex(v));
                }
            });
            String group = st.isDirectory() ? rel : inodes.computeIfAbsent(st.ino(), i -> rel);
            nodes.put(rel, new Node(type, st.permissions(), st.uid(), st.gid(), st.isDirectory() ? 0 : st.size(),
                    st.mtime(), content, st.rdevMajor(), st.rdevMinor(), xattrs, group));
        }
        return new TreeSnapshot(nodes);
    }

    /** The differences to {@code other}, one line each; empty if the trees are the same. */
    public List<String> differences(TreeSnapshot other, boolean compareDirectoryTimes) {
        List<String> out = new ArrayList<>();
        Set<String> all = new TreeSet<>(nodes.keySet());
        all.addAll(other.nodes.keySet());
        for (String path : all) {
            Node a = nodes.get(path);
            Node b = other.nodes.get(path);
            if (a == null || b == null) {
                out.add(path + ": only in " + (a == null ? "second" : "first"));
                continue;
            }
            if (!compareDirectoryTimes && a.type().equals("dir") && b.type().equals("dir")) {
                a = new Node(a.type(), a.mode(), a.uid(), a.gid(), a.size(), Instant.EPOCH, a.content(), a.rdevMajor(),
                        a.rdevMinor(), a.xattrs(), a.linkGroup());
                b = new Node(b.type(), b.mode(), b.uid(), b.gid(), b.size(), Instant.EPOCH, b.content(), b.rdevMajor(),
                        b.rdevMinor(), b.xattrs(), b.linkGroup());
            }
            if (!a.equals(b)) {
                out.add(path + ": " + a + " != " + b);
            }
        }
        return out;
    }

    /**
     * This snapshot with every mtime truncated to whole seconds (what an OCI layer diff keeps), for
     * comparing a tree with one rebuilt from its diff.
     */
    public TreeSnapshot truncatedToSeconds() {
        Map<String, Node> out = new TreeMap<>();
        nodes.forEach((k, n) -> out.put(k, new Node(n.type(), n.mode(), n.uid(), n.gid(), n.size(),
                Instant.ofEpochSecond(n.mtime().getEpochSecond()), n.content(), n.rdevMajor(), n.rdevMinor(), n.xattrs(),
                n.linkGroup())));
        return new TreeSnapshot(out);
    }

    /** This snapshot without {@code path} and everything below it. */
    public TreeSnapshot without(String path) {
        Map<String, Node> out = new TreeMap<>(nodes);
        out.keySet().removeIf(k -> k.equals(path) || k.startsWith(path + "/"));
        return new TreeSnapshot(out);
    }

    /** Whether a file exists at {@code relative} (no symlink followed). */
    public static boolean exists(Path root, String relative) {
        return Files.exists(root.resolve(relative), LinkOption.NOFOLLOW_LINKS);
    }

    private static String sha256(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
