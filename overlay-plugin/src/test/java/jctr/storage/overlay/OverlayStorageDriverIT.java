package jctr.storage.overlay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.host.HostInfo;
import jctr.kernel.host.MountEntry;
import jctr.kernel.layer.FileTrees;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.Rootfs;
import jctr.kernel.sys.FileMeta;
import jctr.kernel.sys.FileStat;
import jctr.kernel.testing.BusyboxRootfs;
import jctr.kernel.testing.LayerTar;
import jctr.kernel.testing.RootOnly;
import jctr.kernel.testing.TreeSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What is specific to overlayfs: copy-up into the upper dir, shared layer directories, mount options. */
class OverlayStorageDriverIT {

    private Path tmp;
    private OverlayStorageDriver driver;
    private final List<String> containers = new ArrayList<>();
    private Process sleeper;

    private OverlayStorageDriver start(Map<String, String> options) {
        OverlayStorageDriver d = new OverlayStorageDriver();
        DriverContext ctx = new DriverContext(tmp.resolve("state"), tmp.resolve("data"), options, HostInfo.detect());
        d.initialize(ctx);
        return d;
    }

    @BeforeEach
    void setUp() throws IOException {
        RootOnly.assumeRoot();
        tmp = Files.createTempDirectory("jctr-overlay-it");
        driver = start(Map.of());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (sleeper != null) {
            sleeper.destroyForcibly();
            sleeper.waitFor(10, TimeUnit.SECONDS);
        }
        if (tmp != null) {
            try {
                for (String c : containers) {
                    driver.remove(c);
                }
                assertEquals(List.of(), mounts(tmp));
            } finally {
                FileTrees.deleteRecursively(tmp);
            }
        }
    }

    private Rootfs prepare(String id, String... layers) {
        containers.add(id);
        return driver.prepare(id, List.of(layers));
    }

    private Path layerDiff(String id) {
        return tmp.resolve("data/overlay/layers").resolve(id).resolve("diff");
    }

    private static List<MountEntry> mounts(Path below) {
        try {
            String prefix = below.toString();
            return MountEntry.parseAll(Files.readString(Path.of("/proc/self/mountinfo"))).stream()
                    .filter(m -> m.mountPoint().startsWith(prefix)).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The lower directories of the overlay mounted at {@code merged}, as real paths, top first. */
    private static List<Path> lowerDirs(String merged) throws IOException {
        MountEntry m = mounts(Path.of(merged)).stream().filter(e -> e.mountPoint().equals(merged)).findFirst().orElseThrow();
        List<Path> out = new ArrayList<>();
        for (String opt : m.superOptions()) {
            if (opt.startsWith("lowerdir+=")) {
                out.add(Path.of(opt.substring("lowerdir+=".length())).toRealPath());
            } else if (opt.startsWith("lowerdir=")) {
                for (String p : opt.substring("lowerdir=".length()).split(":")) {
                    out.add(Path.of(p).toRealPath());
                }
            }
        }
        return out;
    }

    private String busybox() {
        Path src = BusyboxRootfs.create(tmp.resolve("busybox-src"));
        driver.createLayer("busybox", null, new java.io.ByteArrayInputStream(LayerTar.ofDirectory(src)));
        FileTrees.deleteRecursively(src);
        return "busybox";
    }

    private static String inside(Rootfs rootfs, String script) {
        var r = jctr.kernel.testing.Commands.exec(null, "chroot", rootfs.path(), "/bin/sh", "-c", script);
        assertEquals(0, r.exitCode(), r.output());
        return r.output();
    }

    @Test
    void aModifiedFileIsCopiedUpAndTheLayerStaysByteForByte() throws IOException {
        String image = busybox();
        TreeSnapshot layerBefore = TreeSnapshot.of(layerDiff(image));
        Rootfs rootfs = prepare("c", image);
        inside(rootfs, "echo more >> /etc/hostname && rm /etc/group && mkdir /new && echo x > /new/file");
        Path upper = Path.of(rootfs.driverState().get("upperdir"));
        assertEquals("busybox\nmore\n", Files.readString(upper.resolve("etc/hostname")));
        FileStat whiteout = FileMeta.lstat(upper.resolve("etc/group"));
        assertTrue(whiteout.isCharDevice() && whiteout.rdevMajor() == 0 && whiteout.rdevMinor() == 0,
                "a deleted lower file is a whiteout in the upper dir");
        assertTrue(Files.exists(upper.resolve("new/file")));
        assertFalse(Files.exists(upper.resolve("bin/busybox")), "unchanged files are not copied up");
        assertEquals(List.of(), layerBefore.differences(TreeSnapshot.of(layerDiff(image)), true));
    }

    @Test
    void twoContainersShareTheLayerDirectories() throws IOException {
        driver.createLayer("l1", null, new LayerTar().file("a", "1").stream());
        driver.createLayer("l2", "l1", new LayerTar().file("b", "2").stream());
        Rootfs one = prepare("one", "l1", "l2");
        Rootfs two = prepare("two", "l1", "l2");
        List<Path> expected = List.of(layerDiff("l2").toRealPath(), layerDiff("l1").toRealPath());
        assertEquals(expected, lowerDirs(one.path()));
        assertEquals(expected, lowerDirs(two.path()));
        assertTrue(!one.driverState().get("upperdir").equals(two.driverState().get("upperdir")));
    }

    @Test
    void legacyMountsUseShortLinksAndRefuseTooManyLayers() throws IOException {
        driver = start(Map.of("mountApi", "legacy"));
        String parent = null;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String id = "layer" + i;
            driver.createLayer(id, parent, new LayerTar().file("f" + i, Integer.toString(i)).stream());
            ids.add(id);
            parent = id;
        }
        Rootfs fifty = prepare("fifty", ids.subList(0, 50).toArray(String[]::new));
        assertEquals(50, lowerDirs(fifty.path()).size());
        String data = mounts(Path.of(fifty.path())).getFirst().superOptions().toString();
        assertTrue(data.contains("/l/"), "short links in the options: " + data);
        assertEquals("49", Files.readString(Path.of(fifty.path()).resolve("f49")));
        ResourceLimitException e = assertThrows(ResourceLimitException.class,
                () -> driver.prepare("hundred", ids));
        assertTrue(e.getMessage().contains("100 layers"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("data/overlay/containers/hundred")), "nothing left of the failed prepare");
        // The new API (when the kernel has it) mounts them all.
        OverlayStorageDriver modern = start(Map.of());
        Rootfs hundred = modern.prepare("hundred", ids);
        containers.add("hundred");
        assertEquals("99", Files.readString(Path.of(hundred.path()).resolve("f99")));
        assertEquals("0", Files.readString(Path.of(hundred.path()).resolve("f0")));
    }

    @Test
    void removeDetachesABusyMount() throws IOException {
        String image = busybox();
        Rootfs rootfs = prepare("busy", image);
        sleeper = new ProcessBuilder("chroot", rootfs.path(), "/bin/sleep", "60").start();
        Path procRoot = Path.of("/proc", Long.toString(sleeper.pid()), "root");
        for (int i = 0; i < 500 && !Files.readSymbolicLink(procRoot).toString().equals(rootfs.path()); i++) {
            Thread.onSpinWait();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        assertEquals(rootfs.path(), Files.readSymbolicLink(procRoot).toString(), "the process is inside the rootfs");
        driver.remove("busy");
        assertEquals(List.of(), mounts(tmp));
        assertFalse(Files.exists(Path.of(rootfs.path())));
    }

    @Test
    void prepareRemountsAfterTheMountIsGone() throws IOException {
        driver.createLayer("l1", null, new LayerTar().file("f", "1").stream());
        Rootfs rootfs = prepare("c", "l1");
        Files.writeString(Path.of(rootfs.path()).resolve("kept"), "upper data");
        jctr.kernel.sys.Mounts.unmount(Path.of(rootfs.path()), 0); // as after a reboot
        Rootfs again = driver.prepare("c", List.of("l1"));
        assertEquals("upper data", Files.readString(Path.of(again.path()).resolve("kept")));
    }

    @Test
    void probeLeavesNothingAndOptionsAreChecked() throws IOException {
        DriverContext ctx = new DriverContext(tmp.resolve("state2"), tmp.resolve("data2"), Map.of(), HostInfo.detect());
        Set<String> before = names(tmp);
        ProbeResult r = new OverlayStorageDriver().probe(ctx);
        assertTrue(r.available(), r.detail());
        assertEquals(before, names(tmp));
        assertEquals(List.of(), mounts(tmp));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> new OverlayStorageDriver()
                .initialize(ctx.withOptions(Map.of("mountAPI", "new"))));
        assertTrue(e.getMessage().contains("driverOptions.overlay.mountAPI"), e.getMessage());
        assertThrows(InvalidConfigException.class, () -> new OverlayStorageDriver()
                .initialize(ctx.withOptions(Map.of("maxLayerSize", "lots"))));
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return new TreeSet<>(s.map(Path::toString).toList());
        }
    }
}
