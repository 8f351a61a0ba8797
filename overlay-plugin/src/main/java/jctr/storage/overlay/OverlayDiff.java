package jctr.storage.overlay;

import java.io.OutputStream;
import java.nio.file.Path;

import jctr.kernel.layer.FileTrees;
import jctr.kernel.layer.LayerDiffWriter;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.FileStat;

/**
 * A container's changes as an OCI layer: the upper directory, translated. overlayfs records a deleted
 * lower file as a character device 0/0 (becomes {@code .wh.<name>}) and a directory that replaced a
 * lower one as {@code trusted.overlay.opaque=y} (becomes {@code .wh..wh..opq}); everything else in the
 * upper dir is added or modified content, written as it is. Because the driver mounts with
 * {@code redirect_dir=off} and {@code metacopy=off}, the upper dir holds complete files and no renamed
 * directories, so it alone describes the change.
 */
final class OverlayDiff {

    private OverlayDiff() {
    }

    static void write(Path upper, OutputStream out) {
        LayerDiffWriter writer = new LayerDiffWriter(out);
        walk(upper, "", writer);
        writer.finish();
    }

    private static void walk(Path dir, String rel, LayerDiffWriter writer) {
        for (String name : FileTrees.list(dir)) {
            Path p = dir.resolve(name);
            String relPath = rel.isEmpty() ? name : rel + "/" + name;
            FileStat st = FileMeta.lstat(p);
            if (st.isCharDevice() && st.rdevMajor() == 0 && st.rdevMinor() == 0) {
                writer.whiteout(relPath, st.mtime());
            } else if (st.isDirectory()) {
                writer.add(relPath, p);
                if (LowerStack.isOpaque(p)) {
                    writer.opaque(relPath, st.mtime());
                }
                walk(p, relPath, writer);
            } else {
                writer.add(relPath, p);
            }
        }
    }
}
