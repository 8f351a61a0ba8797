package jctr.kernel.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.host.HostInfo;
import jctr.kernel.host.MountEntry;
import jctr.kernel.layer.FileTrees;
import jctr.kernel.layer.TarEntry;
import jctr.kernel.layer.TarLimits;
import jctr.kernel.layer.TarReader;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.LayerInfo;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.Rootfs;
import jctr.kernel.spi.StorageDriver;
import jctr.kernel.spi.Usage;
import jctr.kernel.sys.Mounts;
import jctr.kernel.sys.MountFlags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conformance suite of the {@link StorageDriver} SPI: what every storage driver must do, seen only
 * through the SPI and the root file systems it prepares. A driver's test extends this class and says
 * how to make the driver:
 *
 * <pre>{@code
 * class MyDriverConformanceIT extends StorageDriverContract {
 *     protected StorageDriver newDriver() { return new MyDriver(); }
 * }
 * }</pre>
 *
 * Each test runs on a fresh data and state root in a temp directory and needs root (tests are skipped
 * otherwise, or when the driver's probe says it cannot run here). After each test every container is
 * removed and the suite checks that no mount is left below the temp directory. The "inside" tests run
 * busybox with {@code chroot} in a prepared rootfs, the way a container process would see it.
 */
public abstract class StorageDriverContract {

    /** A new driver instance, not initialized (the suite probes and initializes it). */
    protected abstract StorageDriver newDriver();

    /** The driver options ({@code driverOptions.<name>}) to initialize with; none by default. */
    protected Map<String, String> driverOptions() {
        return Map.of();
    }

    protected Path tmp;
    protected DriverContext context;
    protected StorageDriver driver;
    private final List<String> prepared = new ArrayList<>();

    @BeforeEach
    void startDriver() throws IOException {
        RootOnly.assumeRoot();
        tmp = Files.createTempDirectory("jctr-storage-contract");
        context = new DriverContext(tmp.resolve("state"), tmp.resolve("data"), driverOptions(), HostInfo.detect());
        driver = newDriver();
        ProbeResult probe = driver.probe(context);
        if (!probe.available()) {
            FileTrees.deleteRecursively(tmp);
        }
        Assumptions.assumeTrue(probe.available(), () -> driver.name() + " cannot run here: " + probe.detail());
        assertEquals(List.of(), mountsBelow(tmp), "the probe left mounts behind");
        driver.initialize(context);
    }

    @AfterEach
    void removeEverything() {
        if (tmp == null) {
            return;
        }
        try {
            for (String id : prepared) {
                driver.remove(id);
            }
            List<String> leaked = mountsBelow(tmp);
            for (String m : leaked.reversed()) {
                Mounts.unmount(Path.of(m), MountFlags.MNT_DETACH);
            }
            assertEquals(List.of(), leaked, "mounts left after removing every container");
        } finally {
            FileTrees.deleteRecursively(tmp);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Prepares a container (removed after the test) and returns its rootfs path. */
    protected Path prepare(String containerId, String... layerIds) {
        if (!prepared.contains(containerId)) {
            prepared.add(containerId);
        }
        Rootfs rootfs = driver.prepare(containerId, List.of(layerIds));
        Path p = Path.of(rootfs.path());
        assertTrue(p.isAbsolute() && Files.isDirectory(p), "rootfs path " + p + " is an absolute directory");
        return p;
    }

    protected LayerInfo layer(String id, String parent, LayerTar tar) {
        return driver.createLayer(id, parent, tar.stream());
    }

    /** The mount points at or below {@code dir} in this process's mount table. */
    protected static List<String> mountsBelow(Path dir) {
        try {
            String prefix = dir.toAbsolutePath().normalize().toString();
            return MountEntry.parseAll(Files.readString(Path.of("/proc/self/mountinfo"))).stream()
                    .map(MountEntry::mountPoint)
                    .filter(m -> m.equals(prefix) || m.startsWith(prefix + "/")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static void write(Path p, String content) {
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code script} with busybox sh chrooted into {@code rootfs}; returns its output, fails if it fails. */
    protected static String inside(Path rootfs, String script) {
        Commands.Result r = Commands.exec(null, "chroot", rootfs.toString(), "/bin/sh", "-c", script);
        assertEquals(0, r.exitCode(), () -> "inside " + rootfs + ": " + script + " -> " + r.output());
        return r.output();
    }

    /** A layer with the busybox rootfs from {@link BusyboxRootfs}, as GNU tar archives it. */
    protected String busyboxLayer(String id) {
        Path dir = BusyboxRootfs.create(tmp.resolve("busybox-src-" + id));
        try {
            driver.createLayer(id, null, new ByteArrayInputStream(LayerTar.ofDirectory(dir)));
        } finally {
            FileTrees.deleteRecursively(dir);
        }
        return id;
    }

    /** Names of every file below {@code dir} (relative), to check that a failure left nothing behind. */
    private static Set<String> namesBelow(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            Set<String> out = new TreeSet<>();
            walk.forEach(p -> out.add(dir.relativize(p).toString()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- createLayer ---------------------------------------------------------------------------

    @Test
    void createdLayerShowsInARootfs() throws IOException {
        LayerInfo info = layer("base", null, new LayerTar().dir("etc").file("etc/motd", "hello\n", 0640)
                .symlink("etc/link", "motd").hardLink("etc/hard", "etc/motd").dir("empty", 0700).fifo("run-fifo"));
        assertEquals("base", info.id());
        assertEquals(null, info.parentId());
        assertTrue(driver.hasLayer("base"));
        assertFalse(driver.hasLayer("other"));
        Path root = prepare("c1", "base");
        assertEquals("hello\n", read(root.resolve("etc/motd")));
        assertEquals("motd", Files.readSymbolicLink(root.resolve("etc/link")).toString());
        assertEquals(Files.getAttribute(root.resolve("etc/motd"), "unix:ino"), Files.getAttribute(root.resolve("etc/hard"), "unix:ino"));
        assertEquals(0640, (int) Files.getAttribute(root.resolve("etc/motd"), "unix:mode") & 07777);
        assertEquals(LayerTar.MTIME, Files.getLastModifiedTime(root.resolve("etc/motd")).toInstant());
        assertTrue(Files.isDirectory(root.resolve("empty")));
    }

    @Test
    void createLayerIsIdempotentAndDoesNotReadTheStreamAgain() {
        LayerInfo first = layer("l1", null, new LayerTar().file("f", "1"));
        InputStream mustNotBeRead = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("the stream of an existing layer was read");
            }
        };
        LayerInfo second = driver.createLayer("l1", null, mustNotBeRead);
        assertEquals(first, second);
    }

    @Test
    void aFailedCreateLeavesNothingBehind() {
        layer("base", null, new LayerTar().file("f", "1"));
        Set<String> before = namesBelow(tmp.resolve("data"));
        byte[] tar = new LayerTar().file("a", "x".repeat(3000)).file("b", "y").bytes();
        byte[] truncated = Arrays.copyOf(tar, 2000);
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> driver.createLayer("broken", "base", new ByteArrayInputStream(truncated)));
        assertTrue(e.getMessage().contains("\"a\""), "the error names the member: " + e.getMessage());
        assertThrows(InvalidConfigException.class, () -> layer("hostile", "base", new LayerTar().file("../../escape", "x")));
        assertFalse(driver.hasLayer("broken"));
        assertFalse(driver.hasLayer("hostile"));
        assertEquals(before, namesBelow(tmp.resolve("data")), "files left behind by failed createLayer calls");
        assertFalse(Files.exists(tmp.resolve("escape")));
        // and the id can be used again
        layer("broken", "base", new LayerTar().file("a", "fine"));
        assertEquals("fine", read(prepare("c", "base", "broken").resolve("a")));
    }

    @Test
    void unknownParentIsNotFound() {
        assertThrows(NotFoundException.class, () -> layer("child", "nope", new LayerTar().file("f", "1")));
        assertFalse(driver.hasLayer("child"));
    }

    @Test
    void whiteoutsAndOpaqueDirectoriesAcrossLayers() throws IOException {
        layer("l1", null, new LayerTar().dir("a").file("a/x", "x1").file("a/y", "y1").dir("b").file("b/old", "o")
                .dir("b/sub").file("b/sub/f", "f").dir("c").file("c/in-c", "c"));
        layer("l2", "l1", new LayerTar().dir("a").whiteout("a/x").dir("b").opaque("b").file("b/new", "n")
                .whiteout("never/existed"));
        layer("l3", "l2", new LayerTar().dir("a").file("a/x", "x3").whiteout("c"));
        Path root = prepare("c1", "l1", "l2", "l3");
        assertEquals("x3", read(root.resolve("a/x")));
        assertEquals("y1", read(root.resolve("a/y")));
        try (Stream<Path> b = Files.list(root.resolve("b"))) {
            assertEquals(List.of("new"), b.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertFalse(Files.exists(root.resolve("c")));
        // The middle of the stack alone: a/x deleted, b opaque.
        Path mid = prepare("c2", "l1", "l2");
        assertFalse(Files.exists(mid.resolve("a/x")));
        assertTrue(Files.exists(mid.resolve("c/in-c")));
        // No whiteout files are visible in either.
        for (Path r : List.of(root, mid)) {
            try (Stream<Path> walk = Files.walk(r)) {
                assertEquals(List.of(), walk.filter(p -> p.getFileName() != null
                        && p.getFileName().toString().startsWith(".wh.")).toList());
            }
        }
    }

    @Test
    void layersMustFormAChain() {
        layer("l1", null, new LayerTar().file("f", "1"));
        layer("l2", "l1", new LayerTar().file("g", "2"));
        layer("other", null, new LayerTar().file("h", "3"));
        assertThrows(InvalidConfigException.class, () -> driver.prepare("c", List.of("l2")));
        assertThrows(InvalidConfigException.class, () -> driver.prepare("c", List.of("other", "l2")));
        assertThrows(NotFoundException.class, () -> driver.prepare("c", List.of("l1", "missing")));
        assertEquals(List.of(), mountsBelow(tmp));
    }

    // ---- prepare, copy-on-write ----------------------------------------------------------------

    @Test
    void anEmptyImageGivesAnEmptyWritableRootfs() throws IOException {
        Path root = prepare("empty");
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(0, s.count());
        }
        write(root.resolve("new"), "data");
        assertEquals("data", read(root.resolve("new")));
    }

    @Test
    void prepareIsIdempotentAndKeepsWrites() {
        layer("l1", null, new LayerTar().file("f", "1"));
        Path first = prepare("c", "l1");
        write(first.resolve("written"), "kept");
        Path again = prepare("c", "l1");
        assertEquals(first, again);
        assertEquals("kept", read(again.resolve("written")));
        assertThrows(KernelException.class, () -> driver.prepare("c", List.of()));
    }

    @Test
    void writesNeverChangeLayersAndContainersAreIsolated() throws IOException {
        layer("l1", null, new LayerTar().dir("etc").file("etc/conf", "original").file("etc/other", "other")
                .dir("data").file("data/big", "b".repeat(100_000)));
        layer("l2", "l1", new LayerTar().dir("etc").file("etc/conf2", "second"));
        Path a = prepare("a", "l1", "l2");
        TreeSnapshot pristine = TreeSnapshot.of(a);
        Path b = prepare("b", "l1", "l2");

        write(a.resolve("etc/conf"), "changed in a");
        Files.writeString(a.resolve("data/big"), "appended", java.nio.file.StandardOpenOption.APPEND);
        Files.delete(a.resolve("etc/other"));
        Files.setPosixFilePermissions(a.resolve("etc/conf2"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        write(a.resolve("new/file"), "new in a");
        write(b.resolve("only-in-b"), "b");

        assertEquals("changed in a", read(a.resolve("etc/conf")));
        assertFalse(Files.exists(a.resolve("etc/other")), "a deleted lower file is hidden");
        assertFalse(Files.exists(a.resolve("only-in-b")));
        assertEquals(List.of(), pristine.differences(TreeSnapshot.of(b).without("only-in-b"), false),
                "container b saw a's writes");
        Path c = prepare("c", "l1", "l2");
        assertEquals(List.of(), pristine.differences(TreeSnapshot.of(c), false), "a layer changed");
    }

    // ---- diff -----------------------------------------------------------------------------------

    @Test
    void diffIsAnOciLayerThatReproducesTheContainer() throws IOException {
        layer("l1", null, new LayerTar().dir("etc").file("etc/keep", "keep").file("etc/modify", "before")
                .file("etc/delete", "gone").dir("dir").file("dir/a", "a").dir("dir/sub").file("dir/sub/b", "b"));
        Path root = prepare("c", "l1");
        write(root.resolve("etc/modify"), "after");
        Files.delete(root.resolve("etc/delete"));
        write(root.resolve("etc/added"), "added");
        write(root.resolve("newdir/deep/file"), "deep");
        FileTrees.deleteRecursively(root.resolve("dir"));
        write(root.resolve("dir/fresh"), "fresh");
        Files.createSymbolicLink(root.resolve("etc/symlink"), Path.of("/etc/keep"));
        Files.createLink(root.resolve("etc/hardlink"), root.resolve("etc/added"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        driver.diff("c", out);
        Map<String, TarEntry> members = new TreeMap<>();
        TarReader reader = new TarReader(new ByteArrayInputStream(out.toByteArray()), TarLimits.DEFAULTS, "diff");
        for (Optional<TarEntry> e = reader.next(); e.isPresent(); e = reader.next()) {
            String name = e.get().name().replaceFirst("^\\./", "").replaceFirst("/$", "");
            members.put(name, e.get());
        }
        assertTrue(members.containsKey("etc/modify"), "modified file in the diff: " + members.keySet());
        assertTrue(members.containsKey("etc/added"), members.keySet().toString());
        assertTrue(members.containsKey("etc/.wh.delete"), "deletion as a whiteout: " + members.keySet());
        assertTrue(members.containsKey("newdir/deep/file"), members.keySet().toString());
        assertFalse(members.containsKey("etc/keep"), "unchanged files are not in the diff");
        assertFalse(members.keySet().stream().anyMatch(k -> k.startsWith("/") || List.of(k.split("/")).contains("..")));
        assertTrue(members.keySet().stream().noneMatch(k -> k.equals("dir/a") || k.equals("dir/sub/b")));

        // Applying the diff as a layer on the image reproduces the container's tree.
        driver.createLayer("diff-layer", "l1", new ByteArrayInputStream(out.toByteArray()));
        Path rebuilt = prepare("rebuilt", "l1", "diff-layer");
        assertEquals(List.of(), TreeSnapshot.of(root).truncatedToSeconds()
                .differences(TreeSnapshot.of(rebuilt).truncatedToSeconds(), false));
    }

    @Test
    void diffOfAnUntouchedContainerIsEmpty() {
        layer("l1", null, new LayerTar().dir("etc").file("etc/f", "1"));
        prepare("c", "l1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        driver.diff("c", out);
        TarReader reader = new TarReader(new ByteArrayInputStream(out.toByteArray()), TarLimits.DEFAULTS, "diff");
        List<String> names = new ArrayList<>();
        for (Optional<TarEntry> e = reader.next(); e.isPresent(); e = reader.next()) {
            names.add(e.get().name());
        }
        assertEquals(List.of(), names);
        assertThrows(NotFoundException.class, () -> driver.diff("unknown", new ByteArrayOutputStream()));
    }

    // ---- remove, removeLayer, usage ------------------------------------------------------------

    @Test
    void removeCleansEverythingAndIsIdempotent() {
        layer("l1", null, new LayerTar().file("f", "1"));
        Path root = prepare("c", "l1");
        write(root.resolve("scratch"), "x");
        driver.remove("c");
        assertFalse(Files.exists(root), "the rootfs path is gone");
        assertEquals(List.of(), mountsBelow(tmp));
        assertThrows(NotFoundException.class, () -> driver.usage("c"));
        driver.remove("c");
        driver.remove("never-existed");
        Path again = prepare("c", "l1");
        assertFalse(Files.exists(again.resolve("scratch")), "data written before remove is gone");
    }

    @Test
    void aLayerInUseCannotBeRemoved() {
        layer("l1", null, new LayerTar().file("f", "1"));
        layer("l2", "l1", new LayerTar().file("g", "2"));
        prepare("c", "l1", "l2");
        KernelException e = assertThrows(KernelException.class, () -> driver.removeLayer("l1"));
        assertEquals(KernelException.Category.FAILED_PRECONDITION, e.category());
        assertTrue(driver.hasLayer("l1"));
        driver.remove("c");
        driver.removeLayer("l2");
        driver.removeLayer("l1");
        assertFalse(driver.hasLayer("l1"));
        assertFalse(driver.hasLayer("l2"));
        driver.removeLayer("l1");
        assertThrows(NotFoundException.class, () -> driver.usage("l1"));
    }

    @Test
    void usageIsPlausible() throws IOException {
        byte[] mib = new byte[1 << 20];
        Arrays.fill(mib, (byte) 1);
        layer("l1", null, new LayerTar().dir("d").file("d/big", mib, 0644, 0, 0, Map.of()).file("d/small", "s"));
        Usage layerUsage = driver.usage("l1");
        assertTrue(layerUsage.bytes() >= mib.length && layerUsage.bytes() < 4L * mib.length, layerUsage.toString());
        assertTrue(layerUsage.inodes() >= 3 && layerUsage.inodes() < 100, layerUsage.toString());
        assertEquals(layerUsage.bytes(), driver.createLayer("l1", null, InputStream.nullInputStream()).size());

        Path root = prepare("c", "l1");
        Usage before = driver.usage("c");
        byte[] twoMib = new byte[2 << 20];
        Arrays.fill(twoMib, (byte) 2);
        Files.write(root.resolve("written"), twoMib);
        Usage after = driver.usage("c");
        assertTrue(after.bytes() - before.bytes() >= twoMib.length, before + " -> " + after);
        assertTrue(after.inodes() > before.inodes(), before + " -> " + after);
        assertThrows(NotFoundException.class, () -> driver.usage("nothing-by-this-name"));
    }

    // ---- inside the container: busybox under chroot ---------------------------------------------

    @Test
    void insideAModifiedFileIsTheContainersOwn() {
        String image = busyboxLayer("busybox");
        Path a = prepare("a", image);
        Path b = prepare("b", image);
        inside(a, "echo changed-in-a >> /etc/hostname");
        assertEquals("busybox\nchanged-in-a\n", inside(a, "cat /etc/hostname"));
        assertEquals("busybox\n", inside(b, "cat /etc/hostname"));
        assertEquals("busybox\n", inside(prepare("fresh", image), "cat /etc/hostname"), "the layer is unchanged");
    }

    @Test
    void insideADeletedLowerFileIsHidden() {
        String image = busyboxLayer("busybox");
        Path a = prepare("a", image);
        inside(a, "rm /etc/passwd && test ! -e /etc/passwd && ! ls /etc | grep -q passwd");
        assertTrue(inside(prepare("b", image), "cat /etc/passwd").startsWith("root:"));
    }

    @Test
    void insideTwoContainersDoNotSeeEachOther() {
        String image = busyboxLayer("busybox");
        Path a = prepare("a", image);
        Path b = prepare("b", image);
        inside(a, "echo a > /tmp/from-a && mkdir /var/only-a");
        inside(b, "echo b > /tmp/from-b");
        assertEquals("from-a\n", inside(a, "ls /tmp"));
        assertEquals("from-b\n", inside(b, "ls /tmp"));
        inside(b, "test ! -e /var/only-a");
    }

    @Test
    void insideWrittenDataIsGoneAfterRemove() {
        String image = busyboxLayer("busybox");
        Path a = prepare("a", image);
        inside(a, "head -c 65536 /bin/busybox > /root/blob && sync && test -s /root/blob");
        driver.remove("a");
        Path again = prepare("a", image);
        inside(again, "test ! -e /root/blob");
        assertNotEquals(0, Commands.exec(null, "chroot", again.toString(), "/bin/sh", "-c", "test -e /root/blob").exitCode());
    }
}
