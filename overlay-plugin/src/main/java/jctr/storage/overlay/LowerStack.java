package jctr.storage.overlay;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import jctr.kernel.layer.WhiteoutStrategy;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.FileStat;
import jctr.kernel.sys.Xattrs;

/**
 * Path lookup in a stack of layer directories the way overlayfs does it, without mounting: the top
 * layer that has a name decides; a whiteout (character device 0/0) deletes the name and everything
 * below it, a non-directory hides what lower layers have under that name, and an opaque directory
 * hides the lower layers' content of that directory.
 */
final class LowerStack {

    private final List<Path> layersTopFirst;

    LowerStack(List<Path> layersTopFirst) {
        this.layersTopFirst = List.copyOf(layersTopFirst);
    }

    /** Whether {@code parts} (a path relative to the layer root) names something in the merged stack. */
    boolean exists(List<String> parts) {
        for (Path layer : layersTopFirst) {
            Path p = layer;
            boolean opaqueAbove = false;
            for (int i = 0; i < parts.size(); i++) {
                p = p.resolve(parts.get(i));
                Optional<FileStat> st = FileMeta.lstatIfExists(p);
                if (st.isEmpty()) {
                    break; // not in this layer: lower layers decide, unless an opaque directory hides them
                }
                if (isWhiteout(st.get())) {
                    return false;
                }
                if (i == parts.size() - 1) {
                    return true;
                }
                if (!st.get().isDirectory()) {
                    return false;
                }
                opaqueAbove |= isOpaque(p);
            }
            if (opaqueAbove) {
                return false;
            }
        }
        return false;
    }

    private static boolean isWhiteout(FileStat st) {
        return st.isCharDevice() && st.rdevMajor() == 0 && st.rdevMinor() == 0;
    }

    static boolean isOpaque(Path dir) {
        // "y" is opaque; "x" (Linux 6.7+) only marks a directory holding xattr whiteouts, which is not.
        return Xattrs.get(dir, WhiteoutStrategy.OVERLAY_OPAQUE_XATTR).map(v -> Arrays.equals(v, new byte[] {'y'}))
                .orElse(false);
    }
}
