package jctr.kernel.layer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.FileStat;
import jctr.kernel.sys.OpenFlags;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.Xattrs;
import jctr.kernel.testing.BusyboxRootfs;
import jctr.kernel.testing.Commands;
import jctr.kernel.testing.LayerTar;
import jctr.kernel.testing.RootOnly;
import jctr.kernel.testing.TreeSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The unpacker against real files: same result as GNU tar for honest layers, refusals for hostile ones. */
class LayerUnpackerIT {

    @TempDir
    Path tmp;
    Path target;
    Path sentinel;

    @BeforeEach
    void setUp() throws IOException {
        RootOnly.assumeRoot();
        target = Files.createDirectories(tmp.resolve("target"));
        sentinel = Files.writeString(tmp.resolve("sentinel"), "do not touch\n");
    }

    private UnpackResult unpack(LayerTar tar, WhiteoutStrategy strategy) {
        return new LayerUnpacker(UnpackOptions.DEFAULTS, strategy).unpack(tar.stream(), target, "test layer");
    }

    private UnpackResult unpack(LayerTar tar) {
        return unpack(tar, WhiteoutStrategy.applyInPlace());
    }

    @Test
    void sameTreeAsGnuTar() throws IOException {
        Path src = BusyboxRootfs.create(tmp.resolve("src"));
        Path su = Files.writeString(src.resolve("bin/su-like"), "#!/bin/sh\n");
        FileMeta.chmod(su, 04755);
        FileMeta.lchown(src.resolve("home"), 1000, 1000);
        FileMeta.chmod(src.resolve("tmp"), 01777);
        PosixFiles.mknod(src.resolve("dev/null"), OpenFlags.S_IFCHR | 0666, OpenFlags.makedev(1, 3));
        PosixFiles.mkfifo(src.resolve("run/fifo"), 0620);
        Files.createLink(src.resolve("bin/busybox-hardlink"), src.resolve("bin/busybox"));
        Xattrs.set(src.resolve("etc/passwd"), "user.origin", "test".getBytes(StandardCharsets.UTF_8));
        FileMeta.setTimes(src.resolve("etc/passwd"), null, Instant.ofEpochSecond(1_234_567_890L, 987_654_321));
        Files.createDirectories(src.resolve("ro/dir"));
        FileMeta.chmod(src.resolve("ro"), 0555);
        Path tar = tmp.resolve("layer.tar");
        Commands.run(src, "tar", "--format=pax", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-cf", tar.toString(), ".");

        Path byGnu = Files.createDirectories(tmp.resolve("gnu"));
        Commands.run(byGnu, "tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", tar.toString());
        try (var in = Files.newInputStream(tar)) {
            new LayerUnpacker(UnpackOptions.DEFAULTS, WhiteoutStrategy.overlay()).unpack(in, target, "busybox");
        }
        // GNU tar restores directory times with second precision only from ustar fields; ours come from PAX.
        assertEquals(java.util.List.of(), TreeSnapshot.of(byGnu).differences(TreeSnapshot.of(target), false));
        assertEquals(java.util.List.of(), TreeSnapshot.of(src).differences(TreeSnapshot.of(target), true));
    }

    @Test
    void climbingOutWithDotDotIsRefused() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> unpack(new LayerTar().file("a/../../sentinel", "pwned")));
        assertTrue(e.getMessage().contains("a/../../sentinel") && e.getMessage().contains("offset 0"), e.getMessage());
        assertSentinelIntact();
    }

    @Test
    void absoluteNamesLandInsideTheRoot() throws IOException {
        unpack(new LayerTar().file("/etc/abs", "x").file("./rel", "y").file("a/./b/../c", "z"));
        assertEquals("x", Files.readString(target.resolve("etc/abs")));
        assertEquals("y", Files.readString(target.resolve("rel")));
        assertEquals("z", Files.readString(target.resolve("a/c")));
    }

    @Test
    void symlinkedParentsResolveInsideTheRoot() throws IOException {
        unpack(new LayerTar()
                .dir("real")
                .symlink("up", "../../../..")
                .symlink("abs", "/real")
                .symlink("hostdir", tmp.toString())
                .file("up/via-up", "1")
                .file("abs/via-abs", "2"));
        assertEquals("1", Files.readString(target.resolve("via-up")));
        assertEquals("2", Files.readString(target.resolve("real/via-abs")));
        // hostdir points at the host's tmp, which does not exist inside the root: refused, nothing written.
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> unpack(new LayerTar().symlink("hostdir", tmp.toString()).file("hostdir/sentinel", "pwned")));
        assertTrue(e.getMessage().contains("hostdir/sentinel"), e.getMessage());
        assertSentinelIntact();
    }

    @Test
    void aSymlinkAtTheNameIsReplacedNotFollowed() throws IOException {
        unpack(new LayerTar().symlink("victim", sentinel.toString()).file("victim", "mine"));
        assertEquals("mine", Files.readString(target.resolve("victim")));
        assertTrue(FileMeta.lstat(target.resolve("victim")).isRegularFile());
        assertSentinelIntact();
    }

    @Test
    void hardLinksMustStayInside() throws IOException {
        assertThrows(InvalidConfigException.class, () -> unpack(new LayerTar().hardLink("h", "../sentinel")));
        assertThrows(InvalidConfigException.class, () -> unpack(new LayerTar().hardLink("h", sentinel.toString())));
        assertThrows(InvalidConfigException.class,
                () -> unpack(new LayerTar().symlink("s", tmp.toString()).hardLink("h", "s/sentinel")));
        assertEquals(1, FileMeta.lstat(sentinel).nlink());
        unpack(new LayerTar().file("f", "data").hardLink("/g", "/f"));
        assertEquals(FileMeta.lstat(target.resolve("f")).ino(), FileMeta.lstat(target.resolve("g")).ino());
        assertSentinelIntact();
    }

    @Test
    void deviceNodesOnlyWhenAllowed() {
        LayerUnpacker strict = new LayerUnpacker(new UnpackOptions(TarLimits.DEFAULTS, false), WhiteoutStrategy.applyInPlace());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> strict.unpack(
                new LayerTar().charDevice("dev/sda", 8, 0).stream(), target, "t"));
        assertTrue(e.getMessage().contains("device"), e.getMessage());
        unpack(new LayerTar().charDevice("dev/null", 1, 3).fifo("dev/fifo"));
        FileStat st = FileMeta.lstat(target.resolve("dev/null"));
        assertTrue(st.isCharDevice() && st.rdevMajor() == 1 && st.rdevMinor() == 3);
        assertTrue(FileMeta.lstat(target.resolve("dev/fifo")).isFifo());
    }

    @Test
    void setuidOwnersAndOverlayXattrsPolicy() {
        unpack(new LayerTar().file("bin/s", "x".getBytes(StandardCharsets.UTF_8), 06755, 0, 0,
                Map.of("security.capability", capability(), "trusted.overlay.redirect", "/etc".getBytes(StandardCharsets.UTF_8),
                        "user.keep", new byte[] {7}))
                .file("home/u", "y".getBytes(StandardCharsets.UTF_8), 0600, 1234, 5678, Map.of()));
        FileStat s = FileMeta.lstat(target.resolve("bin/s"));
        assertEquals(06755, s.permissions());
        assertTrue(Xattrs.get(target.resolve("bin/s"), "security.capability").isPresent(), "file capability kept after chown");
        assertTrue(Xattrs.get(target.resolve("bin/s"), "trusted.overlay.redirect").isEmpty(), "overlay xattr dropped");
        assertArrayEquals(new byte[] {7}, Xattrs.get(target.resolve("bin/s"), "user.keep").orElseThrow());
        FileStat u = FileMeta.lstat(target.resolve("home/u"));
        assertEquals(1234, u.uid());
        assertEquals(5678, u.gid());
    }

    /** VFS_CAP_REVISION_2 granting cap_net_raw (bit 13), as on ping. */
    private static byte[] capability() {
        byte[] cap = new byte[20];
        cap[3] = 0x02; // magic 0x02000000 little-endian: revision 2
        cap[4 + 1] = 0x20; // permitted bit 13
        return cap;
    }

    @Test
    void directoryReplacedByFileAndBack() throws IOException {
        unpack(new LayerTar().dir("x").file("x/inner", "1").file("x", "now a file").dir("y").file("y", "f").dir("y"));
        assertEquals("now a file", Files.readString(target.resolve("x")));
        assertTrue(FileMeta.lstat(target.resolve("y")).isDirectory());
    }

    @Test
    void directoryTimesSurviveTheirChildren() {
        unpack(new LayerTar().dir("d").file("d/a", "1").file("d/b", "2"));
        assertEquals(LayerTar.MTIME, FileMeta.lstat(target.resolve("d")).mtime());
    }

    @Test
    void overlayWhiteoutsBecomeDevicesAndXattrs() {
        UnpackResult r = unpack(new LayerTar().dir("a").whiteout("a/gone").opaque("c").file("c/new", "n")
                .whiteout("missing/parent/x"), WhiteoutStrategy.overlay());
        assertEquals(3, r.whiteouts());
        FileStat wh = FileMeta.lstat(target.resolve("a/gone"));
        assertTrue(wh.isCharDevice() && wh.rdevMajor() == 0 && wh.rdevMinor() == 0);
        assertArrayEquals(new byte[] {'y'}, Xattrs.get(target.resolve("c"), WhiteoutStrategy.OVERLAY_OPAQUE_XATTR).orElseThrow());
        assertTrue(FileMeta.lstat(target.resolve("missing/parent/x")).isCharDevice());
        assertFalse(TreeSnapshot.exists(target, "a/.wh.gone"));
    }

    @Test
    void inPlaceWhiteoutsDeleteLowerContentOnly() throws IOException {
        // the "parent layer" already in the target
        unpack(new LayerTar().dir("a").file("a/gone", "g").file("a/stays", "s").dir("c").file("c/old", "o")
                .dir("c/sub").file("c/sub/old", "o"));
        UnpackResult r = unpack(new LayerTar().whiteout("a/gone").file("c/sub/new", "n").opaque("c").file("c/later", "l")
                .whiteout("never/existed").file("mine", "m").whiteout("mine"));
        assertEquals(2, r.whiteouts());
        assertFalse(TreeSnapshot.exists(target, "a/gone"));
        assertTrue(TreeSnapshot.exists(target, "a/stays"));
        assertFalse(TreeSnapshot.exists(target, "c/old"));
        assertFalse(TreeSnapshot.exists(target, "c/sub/old"));
        assertEquals("n", Files.readString(target.resolve("c/sub/new")));
        assertEquals("l", Files.readString(target.resolve("c/later")));
        assertEquals("m", Files.readString(target.resolve("mine")), "a whiteout never deletes the layer's own file");
        assertFalse(TreeSnapshot.exists(target, "never"));
    }

    @Test
    void truncatedLayerNamesTheMember() {
        byte[] tar = new LayerTar().file("big", "x".repeat(5000)).bytes();
        byte[] cut = java.util.Arrays.copyOf(tar, 3000);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> new LayerUnpacker(UnpackOptions.DEFAULTS,
                WhiteoutStrategy.applyInPlace()).unpack(new ByteArrayInputStream(cut), target, "layer L"));
        assertTrue(e.getMessage().contains("layer L") && e.getMessage().contains("\"big\""), e.getMessage());
    }

    @Test
    void rootEntryOnlyAsDirectory() {
        unpack(new LayerTar().dir("./", 0711));
        assertEquals(0711, FileMeta.lstat(target).permissions());
        assertThrows(InvalidConfigException.class, () -> unpack(new LayerTar().file("./", "x")));
        assertThrows(InvalidConfigException.class, () -> unpack(new LayerTar().symlink("/", "/etc")));
    }

    private void assertSentinelIntact() {
        try {
            assertEquals("do not touch\n", Files.readString(sentinel));
            assertTrue(FileMeta.lstat(sentinel).isRegularFile());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
