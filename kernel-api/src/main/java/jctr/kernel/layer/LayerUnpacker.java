package jctr.kernel.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.FileStat;
import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.RootedDir;
import jctr.kernel.sys.Symlinks;
import jctr.kernel.sys.SyscallException;
import jctr.kernel.sys.Xattrs;

/**
 * Unpacks an OCI layer tar into a directory. This is a security boundary: the tar comes from an
 * image, i.e. from anyone. The policy:
 *
 * <h2>Paths</h2>
 * <ul>
 *   <li>A member name is cleaned lexically: leading {@code /} and {@code ./} are stripped (absolute
 *       names are taken relative to the layer root), empty and {@code .} components are dropped, and
 *       {@code ..} removes the previous component. A name whose {@code ..} would climb above the root
 *       is <b>refused</b>, as are names with a NUL, components longer than 255 bytes, and paths longer
 *       than PATH_MAX.</li>
 *   <li>The member's parent directory is resolved inside the target with openat2
 *       {@code RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS} ({@link RootedDir}): symlinks that the layer (or
 *       a lower layer) put there are followed as the container would see them, with {@code /} meaning
 *       the target, so no absolute or relative symlink chain leads out. Missing parents are created
 *       (root-owned, 0755). A parent that is a dangling symlink or not a directory is refused.</li>
 *   <li>The final component is never followed: whatever exists there is replaced (a directory is
 *       removed recursively) unless both it and the member are directories, in which case the existing
 *       directory keeps its content and takes the member's metadata. Files are created with
 *       {@code O_CREAT|O_EXCL}, so a symlink planted at the name is never written through.</li>
 *   <li>Symlinks are created with their target verbatim: they may point anywhere, because they are
 *       only ever resolved inside the container (or rooted, as above). An empty target is refused.</li>
 *   <li>A hard link's target is cleaned like a member name (climbing out is refused), resolved inside
 *       the target the same way, and must be an existing non-directory there.</li>
 * </ul>
 *
 * <h2>File types, owners, modes, attributes</h2>
 * <ul>
 *   <li>Character and block devices are created only if {@link UnpackOptions#allowDeviceNodes()}
 *       (the default, since jctr runs as root; images rarely carry any); otherwise the layer is
 *       refused. FIFOs are always created.</li>
 *   <li>Owners (numeric uid/gid; names are ignored), all 12 mode bits, mtime (nanoseconds with PAX),
 *       atime (PAX, else mtime) and extended attributes are restored. <b>setuid/setgid bits are kept</b>
 *       (as Docker does: images need them, e.g. for {@code su} inside the container). They are no path
 *       to escalation on the host because jctr never executes layer content on the host and storage
 *       drivers keep layers below a 0700 directory that unprivileged host users cannot enter.</li>
 *   <li>Extended attributes in the overlayfs namespaces ({@code trusted.overlay.*},
 *       {@code user.overlay.*}) are dropped: a layer must not steer overlayfs (redirects, metacopy,
 *       opaque markers) other than through OCI whiteouts. Attributes the file system cannot store
 *       (EOPNOTSUPP) are skipped.</li>
 *   <li>Directory times are set after all members are written, so adding children does not change them.</li>
 * </ul>
 *
 * <h2>Whiteouts</h2>
 * {@code .wh.<name>} and {@code .wh..wh..opq} go to the driver's {@link WhiteoutStrategy}; a whiteout of
 * a name this same layer wrote is ignored (whiteouts apply to lower layers), a whiteout of a missing
 * name is harmless (the strategy may skip it: {@link WhiteoutStrategy#needed}). A whiteout named
 * {@code .wh.}, {@code .wh..} or {@code .wh...} is refused. Other {@code .wh..wh.*} names (AUFS
 * bookkeeping) are ignored.
 *
 * <h2>Errors and partial results</h2>
 * A corrupt or hostile tar is an {@link InvalidConfigException} naming the member and its byte offset;
 * exceeding a size bound ({@link TarLimits}) is a {@link ResourceLimitException}. Failures of the
 * host (disk full, I/O error) are other {@link KernelException}s. After any failure the target holds a
 * partial layer: <b>callers unpack into a staging directory and rename it into place only on success</b>
 * (both jctr drivers do), so no partial layer is ever visible.
 */
public final class LayerUnpacker {

    private static final String WHITEOUT_PREFIX = ".wh.";
    private static final String OPAQUE_MARKER = ".wh..wh..opq";
    private static final int NAME_MAX = 255;
    /** Linux's PATH_MAX (including the NUL): longer paths and symlink targets cannot be created. */
    private static final int PATH_MAX = 4096;

    private final UnpackOptions options;
    private final WhiteoutStrategy whiteouts;

    public LayerUnpacker(UnpackOptions options, WhiteoutStrategy whiteouts) {
        this.options = options;
        this.whiteouts = whiteouts;
    }

    /**
     * Unpacks the uncompressed layer tar {@code tar} into the existing directory {@code target}.
     *
     * @param source what the tar is, for error messages (e.g. {@code layer sha256:ab12...})
     */
    public UnpackResult unpack(InputStream tar, Path target, String source) {
        try (RootedDir root = RootedDir.open(target)) {
            return new Run(root, new TarReader(tar, options.limits(), source), source).run();
        }
    }

    /**
     * The components of a member name after lexical cleaning (see the class comment), or empty if the
     * name climbs above the root. An empty list means the root itself.
     */
    static Optional<List<String>> cleanPath(String name) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return Optional.empty();
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return Optional.of(List.copyOf(parts));
    }

    /** One unpacking: the state that lives as long as one tar. */
    private final class Run {
        private final RootedDir root;
        private final TarReader reader;
        private final String source;
        /** Host paths this layer wrote, and every directory leading to one. */
        private final Set<Path> written = new HashSet<>();
        /** Directories whose times are set at the end, with their member. */
        private final Map<Path, TarEntry> directoryTimes = new LinkedHashMap<>();
        private long entries;
        private long contentBytes;
        private long whiteoutCount;

        Run(RootedDir root, TarReader reader, String source) {
            this.root = root;
            this.reader = reader;
            this.source = source;
        }

        UnpackResult run() {
            for (Optional<TarEntry> next = reader.next(); next.isPresent(); next = reader.next()) {
                TarEntry entry = next.get();
                entries++;
                try {
                    apply(entry);
                } catch (SyscallException e) {
                    throw classify(entry, e);
                } catch (IOException e) {
                    throw new KernelException(KernelException.Category.INTERNAL, source + ": "
                            + field(entry) + ": cannot write it: " + e, e);
                }
            }
            for (Map.Entry<Path, TarEntry> d : directoryTimes.entrySet()) {
                Optional<FileStat> st = FileMeta.lstatIfExists(d.getKey());
                if (st.isPresent() && st.get().isDirectory()) {
                    setTimes(d.getKey(), d.getValue());
                }
            }
            return new UnpackResult(entries, contentBytes, whiteoutCount);
        }

        private void apply(TarEntry entry) throws IOException {
            List<String> parts = cleanPath(entry.name())
                    .orElseThrow(() -> invalid(entry, "path climbs out of the layer root with \"..\""));
            for (String part : parts) {
                if (part.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
                    throw invalid(entry, "a path component is longer than " + NAME_MAX + " bytes");
                }
            }
            if (parts.isEmpty()) {
                if (entry.type() != TarEntry.Type.DIRECTORY) {
                    throw invalid(entry, "the layer root can only be a directory, not " + entry.type());
                }
                setMetadata(root.root(), entry);
                directoryTimes.put(root.root(), entry);
                return;
            }
            String base = parts.getLast();
            List<String> parentParts = parts.subList(0, parts.size() - 1);
            if (base.startsWith(WHITEOUT_PREFIX)) {
                applyWhiteout(entry, parentParts, base);
                return;
            }
            Path parent = directory(entry, parentParts, true).orElseThrow();
            Path path = parent.resolve(base);
            if (path.toString().getBytes(StandardCharsets.UTF_8).length >= PATH_MAX) {
                throw invalid(entry, "the path is longer than PATH_MAX once unpacked");
            }
            Optional<FileStat> existing = FileMeta.lstatIfExists(path);
            boolean keepDirectory = existing.isPresent() && existing.get().isDirectory()
                    && entry.type() == TarEntry.Type.DIRECTORY;
            if (existing.isPresent() && !keepDirectory) {
                if (entry.type() == TarEntry.Type.HARDLINK) {
                    // The link's target must be resolved before its own name is cleared: "a" -> "a" is refused.
                    hardLinkTarget(entry);
                }
                FileTrees.deleteRecursively(path);
            }
            switch (entry.type()) {
                case DIRECTORY -> {
                    if (!keepDirectory) {
                        Files.createDirectory(path);
                    }
                    setMetadata(path, entry);
                    directoryTimes.put(path, entry);
                }
                case REGULAR -> {
                    writeFile(path, entry);
                    setMetadata(path, entry);
                    setTimes(path, entry);
                }
                case SYMLINK -> {
                    if (entry.linkName().isEmpty()) {
                        throw invalid(entry, "symlink with an empty target");
                    }
                    if (entry.linkName().getBytes(StandardCharsets.UTF_8).length >= PATH_MAX) {
                        throw invalid(entry, "symlink target longer than PATH_MAX");
                    }
                    Symlinks.create(entry.linkName(), path);
                    setMetadata(path, entry);
                    setTimes(path, entry);
                }
                case HARDLINK -> Files.createLink(path, hardLinkTarget(entry));
                case CHAR_DEVICE, BLOCK_DEVICE -> {
                    if (!options.allowDeviceNodes()) {
                        throw invalid(entry, "device nodes are not allowed in layers (driver option allowDeviceNodes)");
                    }
                    int type = entry.type() == TarEntry.Type.CHAR_DEVICE ? OpenFlags.S_IFCHR : OpenFlags.S_IFBLK;
                    PosixFiles.mknod(path, type | (entry.mode() & 0777), OpenFlags.makedev(entry.devMajor(), entry.devMinor()));
                    setMetadata(path, entry);
                    setTimes(path, entry);
                }
                case FIFO -> {
                    PosixFiles.mkfifo(path, entry.mode() & 0777);
                    setMetadata(path, entry);
                    setTimes(path, entry);
                }
            }
            markWritten(path);
        }

        private void applyWhiteout(TarEntry entry, List<String> parentParts, String base) {
            if (base.equals(OPAQUE_MARKER)) {
                Path dir = directory(entry, parentParts, true).orElseThrow();
                whiteouts.opaque(dir, written::contains);
                markWritten(dir);
                whiteoutCount++;
                return;
            }
            if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
                return; // AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs): meaningless here
            }
            String name = base.substring(WHITEOUT_PREFIX.length());
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                throw invalid(entry, "whiteout of \"" + name + "\" names no file");
            }
            List<String> hidden = new ArrayList<>(parentParts);
            hidden.add(name);
            if (!whiteouts.needed(hidden)) {
                return;
            }
            Optional<Path> dir = directory(entry, parentParts, whiteouts.createsParents());
            if (dir.isEmpty() || written.contains(dir.get().resolve(name))) {
                return; // nothing below to delete, or this layer's own file: whiteouts only hide lower layers
            }
            whiteouts.whiteout(dir.get(), name);
            markWritten(dir.get());
            whiteoutCount++;
        }

        /**
         * The host path of directory {@code parts}, resolved inside the root; missing components are
         * created if {@code create}, else the result is empty.
         */
        private Optional<Path> directory(TarEntry entry, List<String> parts, boolean create) {
            String relative = String.join("/", parts);
            try {
                return Optional.of(root.resolveDirectory(relative));
            } catch (SyscallException e) {
                if (!e.is(Errno.ENOENT)) {
                    throw classify(entry, e);
                }
                if (!create) {
                    return Optional.empty();
                }
            }
            Path dir = root.root();
            for (int i = 0; i < parts.size(); i++) {
                String prefix = String.join("/", parts.subList(0, i + 1));
                try {
                    dir = root.resolveDirectory(prefix);
                } catch (SyscallException e) {
                    if (!e.is(Errno.ENOENT)) {
                        throw classify(entry, e);
                    }
                    Path missing = dir.resolve(parts.get(i));
                    if (FileMeta.lstatIfExists(missing).isPresent()) {
                        throw invalid(entry, "parent \"" + prefix + "\" is a dangling symlink");
                    }
                    try {
                        Files.createDirectory(missing);
                    } catch (IOException io) {
                        throw new KernelException(KernelException.Category.INTERNAL, source + ": " + field(entry)
                                + ": cannot create parent directory " + missing + ": " + io, io);
                    }
                    markWritten(missing);
                    dir = missing;
                }
            }
            return Optional.of(dir);
        }

        private Path hardLinkTarget(TarEntry entry) {
            List<String> parts = cleanPath(entry.linkName())
                    .orElseThrow(() -> invalid(entry, "hard link target \"" + entry.linkName() + "\" climbs out of the layer root"));
            if (parts.isEmpty()) {
                throw invalid(entry, "hard link to the layer root");
            }
            Path dir = directory(entry, parts.subList(0, parts.size() - 1), false)
                    .orElseThrow(() -> invalid(entry, "hard link target \"" + entry.linkName() + "\" does not exist in the layer"));
            Path target = dir.resolve(parts.getLast());
            Optional<FileStat> st = FileMeta.lstatIfExists(target);
            if (st.isEmpty()) {
                throw invalid(entry, "hard link target \"" + entry.linkName() + "\" does not exist in the layer");
            }
            if (st.get().isDirectory()) {
                throw invalid(entry, "hard link target \"" + entry.linkName() + "\" is a directory");
            }
            return target;
        }

        private void writeFile(Path path, TarEntry entry) throws IOException {
            try (SeekableByteChannel ch = Files.newByteChannel(path, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                 OutputStream out = Channels.newOutputStream(ch)) {
                long copied = reader.content().transferTo(out);
                contentBytes += copied;
            }
        }

        private void setMetadata(Path path, TarEntry entry) {
            // Order matters: chown clears setuid/setgid bits and file capabilities, so it goes first.
            FileMeta.lchown(path, entry.uid(), entry.gid());
            if (entry.type() != TarEntry.Type.SYMLINK) {
                FileMeta.chmod(path, entry.mode());
            }
            for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
                setXattr(path, entry, x.getKey(), x.getValue());
            }
        }

        private void setXattr(Path path, TarEntry entry, String name, byte[] value) {
            if (name.startsWith("trusted.overlay.") || name.startsWith("user.overlay.")) {
                return; // only OCI whiteouts may steer overlayfs
            }
            if (name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX || value.length > Xattrs.MAX_VALUE_SIZE) {
                throw invalid(entry, "extended attribute " + name + " is too large");
            }
            try {
                Xattrs.set(path, name, value);
            } catch (SyscallException e) {
                boolean symlinkUserAttr = entry.type() == TarEntry.Type.SYMLINK && e.is(Errno.EPERM);
                if (e.is(Errno.EOPNOTSUPP) || symlinkUserAttr) {
                    return; // the file system (or file type) cannot hold it: skipped, as tar does
                }
                if (e.is(Errno.EINVAL) || e.is(Errno.ERANGE) || e.is(Errno.E2BIG)) {
                    throw invalid(entry, "extended attribute " + name + " was refused: " + e.getMessage());
                }
                throw e;
            }
        }

        private void setTimes(Path path, TarEntry entry) {
            FileMeta.setTimes(path, entry.atime() != null ? entry.atime() : entry.mtime(), entry.mtime());
        }

        private void markWritten(Path path) {
            for (Path p = path; p != null && p.startsWith(root.root()) && written.add(p); p = p.getParent()) {
                // every directory leading to a written path counts as written too
            }
        }

        /** Errors a hostile tar can provoke become InvalidConfigException; host failures stay what they are. */
        private KernelException classify(TarEntry entry, SyscallException e) {
            return switch (e.errno()) {
                case Errno.ENOENT, Errno.ENOTDIR, Errno.ELOOP, Errno.EXDEV, Errno.ENAMETOOLONG, Errno.EEXIST,
                     Errno.EISDIR, Errno.ENOTEMPTY, Errno.EINVAL -> new InvalidConfigException(source, field(entry),
                        "cannot be unpacked safely: " + e.getMessage(), e);
                case Errno.EMLINK -> new ResourceLimitException(source + ": " + field(entry) + ": " + e.getMessage(), e);
                default -> e;
            };
        }

        private InvalidConfigException invalid(TarEntry entry, String problem) {
            return new InvalidConfigException(source, field(entry), problem);
        }

        private String field(TarEntry entry) {
            String name = entry.name().length() > 200 ? entry.name().substring(0, 200) + "..." : entry.name();
            return "member \"" + name + "\" at offset " + reader.entryOffset();
        }
    }
}
