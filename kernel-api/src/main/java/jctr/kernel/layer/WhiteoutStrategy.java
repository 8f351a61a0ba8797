package jctr.kernel.layer;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.FileStat;
import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Xattrs;

/**
 * What a storage driver makes of the OCI whiteouts in a layer tar: {@code .wh.<name>} (the lower
 * layers' {@code name} is deleted) and {@code .wh..wh..opq} (the lower layers' content of the
 * directory is hidden; this layer's own entries in it stay). {@link LayerUnpacker} resolves the
 * directory safely and never calls {@link #whiteout} for a name this same layer wrote (whiteouts
 * apply to lower layers only).
 *
 * <p>Two strategies cover the usual drivers: {@link #overlay()} for drivers that stack layer
 * directories with overlayfs, {@link #applyInPlace()} for drivers whose layer directory already holds a
 * copy of the parent (vfs).
 */
public interface WhiteoutStrategy {

    /** The overlayfs xattr that marks a directory as opaque. */
    String OVERLAY_OPAQUE_XATTR = "trusted.overlay.opaque";

    /**
     * Whether the whiteout of {@code path} (the cleaned components of the whiteout's target, relative to
     * the layer root) must be applied at all. False skips it, including creating its directory: there
     * is nothing below to hide. By default every whiteout is applied.
     */
    default boolean needed(List<String> path) {
        return true;
    }

    /**
     * Whether a whiteout whose directory does not exist in the target needs that directory created
     * (true for overlay, where the whiteout must exist as a file; false where there is nothing to delete).
     */
    boolean createsParents();

    /**
     * Applies {@code .wh.<name>} found in directory {@code dir} (a host path inside the target).
     * Whatever exists at {@code dir/name} in the target came from lower layers.
     */
    void whiteout(Path dir, String name);

    /**
     * Applies {@code .wh..wh..opq} in directory {@code dir} (a host path inside the target).
     *
     * @param writtenByLayer true for host paths below {@code dir} that this layer wrote (or that lead
     *                       to something it wrote): they must survive
     */
    void opaque(Path dir, Predicate<Path> writtenByLayer);

    /**
     * overlayfs form: a whiteout is a character device 0/0 named {@code name}; an opaque directory
     * carries the xattr {@code trusted.overlay.opaque=y}. Needs CAP_MKNOD and CAP_SYS_ADMIN (root).
     */
    static WhiteoutStrategy overlay() {
        return overlay(path -> true);
    }

    /**
     * {@link #overlay()} for a layer whose lower layers are known: a whiteout is only created where
     * {@code existsBelow} says the lower layers have something at that path. overlayfs shows whiteouts
     * in a directory that exists in only one layer as entries that cannot be opened, so a whiteout of
     * a missing file (and the directory made to hold it) must not be created at all.
     */
    static WhiteoutStrategy overlay(Predicate<List<String>> existsBelow) {
        return new WhiteoutStrategy() {
            @Override
            public boolean needed(List<String> path) {
                return existsBelow.test(path);
            }

            @Override
            public boolean createsParents() {
                return true;
            }

            @Override
            public void whiteout(Path dir, String name) {
                Path p = dir.resolve(name);
                FileTrees.deleteRecursively(p);
                PosixFiles.mknod(p, OpenFlags.S_IFCHR, OpenFlags.makedev(0, 0));
            }

            @Override
            public void opaque(Path dir, Predicate<Path> writtenByLayer) {
                Xattrs.set(dir, OVERLAY_OPAQUE_XATTR, new byte[] {'y'});
            }
        };
    }

    /**
     * In-place form for a layer directory that starts as a full copy of its parent: a whiteout deletes
     * {@code name} (a missing one is fine); an opaque directory loses every entry this layer did not write.
     */
    static WhiteoutStrategy applyInPlace() {
        return new WhiteoutStrategy() {
            @Override
            public boolean createsParents() {
                return false;
            }

            @Override
            public void whiteout(Path dir, String name) {
                FileTrees.deleteRecursively(dir.resolve(name));
            }

            @Override
            public void opaque(Path dir, Predicate<Path> writtenByLayer) {
                for (String child : FileTrees.list(dir)) {
                    Path p = dir.resolve(child);
                    if (!writtenByLayer.test(p)) {
                        FileTrees.deleteRecursively(p);
                    } else {
                        FileStat st = FileMeta.lstat(p);
                        if (st.isDirectory()) {
                            opaque(p, writtenByLayer);
                        }
                    }
                }
            }
        };
    }
}
