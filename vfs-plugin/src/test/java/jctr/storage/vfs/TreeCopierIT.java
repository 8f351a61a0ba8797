package jctr.storage.vfs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import jctr.kernel.sys.FileCopy;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Xattrs;
import jctr.kernel.testing.BusyboxRootfs;
import jctr.kernel.testing.RootOnly;
import jctr.kernel.testing.TreeSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vfs copy keeps everything a rootfs can hold, with one thread or several. */
class TreeCopierIT {

    private static final long HOLE = 64L << 20;

    @TempDir
    Path tmp;
    Path src;

    @BeforeEach
    void tree() throws IOException {
        RootOnly.assumeRoot();
        src = BusyboxRootfs.create(tmp.resolve("src"));
        Path su = Files.writeString(src.resolve("bin/setuid"), "#!/bin/sh\n");
        FileMeta.lchown(su, 0, 50);
        FileMeta.chmod(su, 06755);
        Xattrs.set(su, "security.capability", capability());
        Xattrs.set(src.resolve("etc/passwd"), "user.note", "kept".getBytes(StandardCharsets.UTF_8));
        Xattrs.set(src.resolve("etc"), "trusted.dir", new byte[] {1, 2});
        FileMeta.setTimes(src.resolve("etc/passwd"), Instant.ofEpochSecond(1_000_000_000L, 1), Instant.ofEpochSecond(1_234_567_890L, 999_999_999));
        PosixFiles.mknod(src.resolve("dev/null"), OpenFlags.S_IFCHR | 0666, OpenFlags.makedev(1, 3));
        PosixFiles.mknod(src.resolve("dev/loop9"), OpenFlags.S_IFBLK | 0660, OpenFlags.makedev(7, 9));
        PosixFiles.mkfifo(src.resolve("run/fifo"), 0600);
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(src.resolve("run/socket")));
        }
        Files.createLink(src.resolve("bin/busybox.2"), src.resolve("bin/busybox"));
        Files.createLink(src.resolve("root/busybox.3"), src.resolve("bin/busybox"));
        FileMeta.lchown(src.resolve("bin/sh"), 12, 34); // a symlink's own owner
        try (RandomAccessFile f = new RandomAccessFile(src.resolve("var/sparse").toFile(), "rw")) {
            f.write("head".getBytes(StandardCharsets.UTF_8));
            f.seek(HOLE);
            f.write("tail".getBytes(StandardCharsets.UTF_8));
        }
        Files.createDirectories(src.resolve("home/user/deep/er"));
        FileMeta.lchown(src.resolve("home/user"), 1000, 1000);
        FileMeta.chmod(src.resolve("home/user"), 0750);
        FileMeta.chmod(src.resolve("tmp"), 01777);
        FileMeta.setTimes(src.resolve("home/user/deep"), null, Instant.ofEpochSecond(42, 42));
    }

    /** VFS_CAP_REVISION_2 with cap_net_raw permitted. */
    private static byte[] capability() {
        byte[] cap = new byte[20];
        cap[3] = 0x02;
        cap[5] = 0x20;
        return cap;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void theCopyIsIndistinguishable(int threads) {
        TreeSnapshot before = TreeSnapshot.of(src);
        Path dst = tmp.resolve("dst");
        TreeCopier.Stats stats = new TreeCopier(threads).copy(src, dst);
        assertEquals(List.of(), TreeSnapshot.of(src).differences(TreeSnapshot.of(dst), true));
        assertEquals(List.of(), before.differences(TreeSnapshot.of(src), true), "the source changed");
        long sparseBlocks = FileMeta.lstat(dst.resolve("var/sparse")).allocatedBytes();
        assertTrue(sparseBlocks < 1 << 20, "the hole stayed a hole: " + sparseBlocks + " bytes allocated");
        assertEquals(HOLE + 4, FileMeta.lstat(dst.resolve("var/sparse")).size());
        assertTrue(stats.byMethod().get(FileCopy.Method.CLONE) + stats.byMethod().get(FileCopy.Method.COPY_FILE_RANGE) > 0,
                stats.toString());
    }
}
