package jctr.kernel.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import jctr.kernel.layer.TarEntry;
import jctr.kernel.layer.TarWriter;

/**
 * Builds small layer tars in memory for tests, including hostile ones: names are written verbatim.
 * Every member gets the same fixed mtime unless given, so expectations can name it.
 */
public final class LayerTar {

    /** The mtime members get by default. */
    public static final Instant MTIME = Instant.ofEpochSecond(1_700_000_000L);

    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final TarWriter writer = new TarWriter(buf);

    public LayerTar dir(String name) {
        return dir(name, 0755);
    }

    public LayerTar dir(String name, int mode) {
        writer.write(TarEntry.directory(name, mode, 0, 0, MTIME), null);
        return this;
    }

    public LayerTar file(String name, String content) {
        return file(name, content, 0644);
    }

    public LayerTar file(String name, String content, int mode) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        writer.write(TarEntry.file(name, mode, 0, 0, b.length, MTIME), new ByteArrayInputStream(b));
        return this;
    }

    public LayerTar file(String name, byte[] content, int mode, int uid, int gid, Map<String, byte[]> xattrs) {
        writer.write(TarEntry.file(name, mode, uid, gid, content.length, MTIME).withXattrs(xattrs),
                new ByteArrayInputStream(content));
        return this;
    }

    public LayerTar symlink(String name, String target) {
        writer.write(TarEntry.symlink(name, target, 0, 0, MTIME), null);
        return this;
    }

    public LayerTar hardLink(String name, String target) {
        writer.write(TarEntry.hardLink(name, target, MTIME), null);
        return this;
    }

    public LayerTar charDevice(String name, int major, int minor) {
        writer.write(new TarEntry(name, TarEntry.Type.CHAR_DEVICE, 0666, 0, 0, 0, MTIME, null, "", major, minor, Map.of()), null);
        return this;
    }

    public LayerTar fifo(String name) {
        writer.write(new TarEntry(name, TarEntry.Type.FIFO, 0644, 0, 0, 0, MTIME, null, "", 0, 0, Map.of()), null);
        return this;
    }

    /** An OCI whiteout: deletes {@code path} of lower layers. */
    public LayerTar whiteout(String path) {
        int slash = path.lastIndexOf('/');
        String name = slash < 0 ? ".wh." + path : path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
        return file(name, "");
    }

    /** An OCI opaque whiteout: hides the lower layers' content of directory {@code dir}. */
    public LayerTar opaque(String dir) {
        return file(dir.isEmpty() ? ".wh..wh..opq" : dir + "/.wh..wh..opq", "");
    }

    /** Any member, as given. */
    public LayerTar entry(TarEntry entry, byte[] content) {
        writer.write(entry, new ByteArrayInputStream(content));
        return this;
    }

    /**
     * An uncompressed PAX tar of the tree at {@code dir} (members {@code ./...}, numeric owners, all
     * xattrs), made by GNU tar: an independent writer, so tests do not check jctr's tar code against itself.
     */
    public static byte[] ofDirectory(Path dir) {
        try {
            Path out = Files.createTempFile("jctr-layer", ".tar");
            try {
                Commands.run(dir, "tar", "--format=pax", "--xattrs", "--xattrs-include=*", "--numeric-owner",
                        "-cf", out.toString(), ".");
                return Files.readAllBytes(out);
            } finally {
                Files.delete(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The archive, with end-of-archive blocks. */
    public byte[] bytes() {
        writer.finish();
        return buf.toByteArray();
    }

    /** The archive as a stream. */
    public InputStream stream() {
        return new ByteArrayInputStream(bytes());
    }
}
