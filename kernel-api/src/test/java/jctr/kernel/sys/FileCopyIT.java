package jctr.kernel.sys;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import jctr.kernel.layer.FileTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Content copies keep data and holes, by whichever method the file systems allow. */
class FileCopyIT {

    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    /** head, a 32 MiB hole, 3 MiB of data, a 16 MiB hole at the end. */
    private static Path sparse(Path p) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write("head".getBytes(StandardCharsets.UTF_8));
            f.seek(32 * MIB);
            byte[] data = new byte[(int) (3 * MIB)];
            Arrays.fill(data, (byte) 7);
            f.write(data);
            f.setLength(51 * MIB);
        }
        return p;
    }

    private static FileCopy.Method copy(Path from, Path to, boolean tryClone) {
        int in = PosixFiles.open(from, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC, 0);
        try {
            int out = PosixFiles.open(to, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL | OpenFlags.O_CLOEXEC, 0600);
            try {
                return FileCopy.copyContents(in, out, FileMeta.lstat(from).size(), tryClone);
            } finally {
                PosixFiles.close(out);
            }
        } finally {
            PosixFiles.close(in);
        }
    }

    @Test
    void sameFileSystemKeepsHoles() throws IOException {
        Path src = sparse(tmp.resolve("src"));
        Path dst = tmp.resolve("dst");
        FileCopy.Method m = copy(src, dst, true);
        assertNotEquals(FileCopy.Method.READ_WRITE, m);
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst));
        assertEquals(51 * MIB, FileMeta.lstat(dst).size());
        assertTrue(FileMeta.lstat(dst).allocatedBytes() < 8 * MIB, "holes kept: " + FileMeta.lstat(dst).allocatedBytes());
    }

    @Test
    void acrossFileSystemsFallsBackToReadWrite() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && !Files.getFileStore(shm).type().equals(Files.getFileStore(tmp).type()),
                "needs a tmpfs at /dev/shm next to a different file system");
        Path dir = Files.createTempDirectory(shm, "jctr-filecopy");
        try {
            Path src = sparse(dir.resolve("src"));
            Path dst = tmp.resolve("dst");
            FileCopy.Method m = copy(src, dst, true);
            assertEquals(FileCopy.Method.READ_WRITE, m);
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst));
            assertTrue(FileMeta.lstat(dst).allocatedBytes() < 8 * MIB, "holes kept: " + FileMeta.lstat(dst).allocatedBytes());
        } finally {
            FileTrees.deleteRecursively(dir);
        }
    }

    @Test
    void emptyAndAllHoleFiles() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty"));
        copy(empty, tmp.resolve("empty2"), true);
        assertEquals(0, FileMeta.lstat(tmp.resolve("empty2")).size());
        Path hole = tmp.resolve("hole");
        try (RandomAccessFile f = new RandomAccessFile(hole.toFile(), "rw")) {
            f.setLength(10 * MIB);
        }
        copy(hole, tmp.resolve("hole2"), false);
        assertEquals(10 * MIB, FileMeta.lstat(tmp.resolve("hole2")).size());
        assertEquals(0, FileMeta.lstat(tmp.resolve("hole2")).allocatedBytes());
    }
}
