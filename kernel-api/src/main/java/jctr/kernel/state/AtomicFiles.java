package jctr.kernel.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe replacement of small files (state records, image metadata): the content goes to a temp
 * file beside the target, is fsynced, renamed over the target, and the directory is fsynced. A reader
 * sees the old or the new content, never a mix, and a crash leaves at most a temp file whose name
 * starts with the target's name followed by {@link #TMP_MARK}.
 */
public final class AtomicFiles {

    /** Marks temp files: {@code <target name>.tmp-<random>}. Recovery code may delete such files. */
    public static final String TMP_MARK = ".tmp-";

    /** Test seam: runs after the temp file is complete and before it replaces the target. */
    @FunctionalInterface
    public interface BeforeRename {
        void run(Path tmp, Path target);
    }

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code content} atomically and durably. */
    public static void write(Path target, byte[] content) {
        write(target, content, (tmp, t) -> { });
    }

    /** Like {@link #write(Path, byte[])}, calling {@code hook} just before the rename. */
    public static void write(Path target, byte[] content, BeforeRename hook) {
        Path tmp = target.resolveSibling(target.getFileName() + TMP_MARK
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            hook.run(tmp, target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.getParent());
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort; a leftover temp file is recognisable by TMP_MARK
            }
            throw new UncheckedIOException("writing " + target, e);
        }
    }

    /** fsync(2) of a directory, making renames and creations in it durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
