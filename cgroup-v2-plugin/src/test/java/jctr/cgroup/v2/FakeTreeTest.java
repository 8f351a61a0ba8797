package jctr.cgroup.v2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import jctr.kernel.AlreadyExistsException;
import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.BlockIoResources;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.oci.PidsResources;
import jctr.kernel.oci.ThrottleDevice;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ResourceStats;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver's file writes against a fake cgroupfs in a temporary directory. The test creates the
 * interface files the kernel would create, so a write to a file the kernel lacks fails as it would.
 */
class FakeTreeTest {

    @TempDir
    Path root;

    private UnifiedHierarchy hierarchy;

    @BeforeEach
    void tree() throws IOException {
        hierarchy = new UnifiedHierarchy(root, "/jctr", () -> OptionalInt.of(60));
        files(root, Map.of("cgroup.controllers", "cpu io memory pids", "cgroup.subtree_control", ""));
        // A fake tree does not propagate: the parent offers what the root would pass down once enabled.
        files(root.resolve("jctr"), Map.of("cgroup.controllers", "cpu io memory pids", "cgroup.subtree_control", ""));
    }

    /** A cgroup directory as the kernel would fill it for the given controllers. */
    private static Path cgroup(Path dir) throws IOException {
        files(dir, Map.ofEntries(
                Map.entry("cgroup.controllers", "cpu io memory pids"), Map.entry("cgroup.subtree_control", ""),
                Map.entry("cgroup.procs", ""), Map.entry("cgroup.events", "populated 0\nfrozen 0"),
                Map.entry("cgroup.freeze", "0"), Map.entry("memory.max", "max"), Map.entry("memory.swap.max", "max"),
                Map.entry("memory.low", "0"), Map.entry("memory.current", "0"), Map.entry("cpu.max", "max 100000"),
                Map.entry("cpu.weight", "100"), Map.entry("pids.max", "max"), Map.entry("io.max", ""),
                Map.entry("io.weight", "default 100")));
        return dir;
    }

    private static void files(Path dir, Map<String, String> files) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> e : files.entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).trim();
    }

    private static LinuxResources resources(MemoryResources m, CpuResources c, PidsResources p, BlockIoResources b) {
        return new LinuxResources(null, m, c, p, b, null, null, null, null);
    }

    @Test
    void createWritesTheTranslatedValuesAndEnablesControllers() throws IOException {
        Path c1 = cgroup(root.resolve("jctr/c1"));
        CgroupHandle h = hierarchy.create("c1", null, resources(
                new MemoryResources(64L << 20, 32L << 20, 96L << 20, null, null, null, null, null, null),
                new CpuResources(1024L, 20000L, null, 100000L, null, null, null, null, null),
                new PidsResources(50),
                new BlockIoResources(500, null, null, List.of(new ThrottleDevice(8, 16, 1048576)), null, null, null)));

        assertEquals("cgroup-v2", h.driver());
        assertEquals("/jctr/c1", h.path());
        assertEquals(c1.toString(), h.cloneIntoDir());
        assertEquals(List.of(c1.resolve("cgroup.procs").toString()), h.procsFiles());
        assertEquals(String.valueOf(64L << 20), read(c1.resolve("memory.max")));
        assertEquals(String.valueOf(32L << 20), read(c1.resolve("memory.swap.max")));
        assertEquals(String.valueOf(32L << 20), read(c1.resolve("memory.low")));
        assertEquals("39", read(c1.resolve("cpu.weight")));
        assertEquals("20000 100000", read(c1.resolve("cpu.max")));
        assertEquals("50", read(c1.resolve("pids.max")));
        assertEquals("8:16 rbps=1048576", read(c1.resolve("io.max")));
        assertEquals(String.valueOf(1 + 490 * 9999 / 990), read(c1.resolve("io.weight")));
        // the root gets only what these resources need; the owned parent gets the standard set as available
        assertEquals(Set.of("+cpu", "+io", "+memory", "+pids"), Set.of(read(root.resolve("cgroup.subtree_control")).split(" ")));
        assertEquals(Set.of("+cpu", "+io", "+memory", "+pids"),
                Set.of(read(root.resolve("jctr/cgroup.subtree_control")).split(" ")));
    }

    @Test
    void theRootIsLeftAloneWhenTheResourcesNeedNoController() throws IOException {
        cgroup(root.resolve("jctr/c2"));
        hierarchy.create("c2", null, LinuxResources.EMPTY);
        assertEquals("", read(root.resolve("cgroup.subtree_control")));
    }

    @Test
    void aForeignParentIsNeverChanged() throws IOException {
        files(root.resolve("system.slice"), Map.of("cgroup.controllers", "cpu memory pids", "cgroup.subtree_control", "cpu"));
        Files.writeString(root.resolve("cgroup.subtree_control"), "cpu memory pids");
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> hierarchy.create("c3",
                "/system.slice/c3", resources(new MemoryResources(1L << 26, null, null, null, null, null, null, null,
                        null), null, null, null)));
        assertTrue(e.getMessage().contains("does not pass down"), e.getMessage());
        assertEquals("cpu", read(root.resolve("system.slice/cgroup.subtree_control")));
        assertFalse(Files.exists(root.resolve("system.slice/c3")));
    }

    @Test
    void aControllerTheRootLacksIsAClearError() {
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> hierarchy.create("c4", null,
                new LinuxResources(null, null, null, null, null,
                        List.of(new jctr.kernel.oci.HugepageLimit("2MB", 1L << 21)), null, null, null)));
        assertTrue(e.getMessage().startsWith("linux.resources.hugepageLimits[0].limit: needs the hugetlb controller"),
                e.getMessage());
    }

    @Test
    void invalidResourcesTouchNothing() {
        assertThrows(InvalidConfigException.class, () -> hierarchy.create("c5", null,
                resources(null, new CpuResources(null, -5L, null, null, null, null, null, null, null), null, null)));
        assertFalse(Files.exists(root.resolve("jctr/c5")));
        assertThrows(InvalidConfigException.class, () -> hierarchy.create("c5", "/a/../b", LinuxResources.EMPTY));
        assertThrows(InvalidConfigException.class, () -> hierarchy.create("bad/id", null, LinuxResources.EMPTY));
        assertThrows(InvalidConfigException.class, () -> hierarchy.create("c5", "//", LinuxResources.EMPTY));
    }

    @Test
    void aMissingInterfaceFileFailsWithTheFieldAndRemovesTheNewCgroup() {
        // A fresh mkdir here is a plain empty directory: memory.max is missing, as on a kernel without memcg.
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> hierarchy.create("c6",
                null, resources(new MemoryResources(1L << 26, null, null, null, null, null, null, null, null), null,
                        null, null)));
        assertTrue(e.getMessage().startsWith("linux.resources.memory.limit: memory.max does not exist"), e.getMessage());
        assertFalse(Files.exists(root.resolve("jctr/c6")));
    }

    @Test
    void aPopulatedCgroupIsNotReused() throws IOException {
        Path c7 = cgroup(root.resolve("jctr/c7"));
        Files.writeString(c7.resolve("cgroup.procs"), "4242\n");
        Files.writeString(c7.resolve("cgroup.events"), "populated 1\nfrozen 0\n");
        assertThrows(AlreadyExistsException.class, () -> hierarchy.create("c7", null, LinuxResources.EMPTY));
    }

    @Test
    void updateKeepsWhatItDoesNotChange() throws IOException {
        Path c8 = cgroup(root.resolve("jctr/c8"));
        CgroupHandle h = hierarchy.create("c8", null, resources(
                new MemoryResources(1L << 20, null, null, null, null, null, null, null, null),
                new CpuResources(null, 20000L, null, 100000L, null, null, null, null, null), null, null));
        hierarchy.update(h, resources(null, new CpuResources(null, null, null, 50000L, null, null, null, null, null),
                null, null));
        assertEquals("20000 50000", read(c8.resolve("cpu.max")));
        hierarchy.update(h, resources(new MemoryResources(null, null, 3L << 20, null, null, null, null, null, null),
                null, null, null));
        assertEquals(String.valueOf(2L << 20), read(c8.resolve("memory.swap.max")), "swap = memory+swap - memory.max");
        assertEquals(String.valueOf(1L << 20), read(c8.resolve("memory.max")));
    }

    @Test
    void bfqTakesTheBlkioWeightUnconverted() throws IOException {
        Path c9 = cgroup(root.resolve("jctr/c9"));
        Files.writeString(c9.resolve("io.bfq.weight"), "default 100");
        hierarchy.create("c9", null, resources(null, null, null,
                new BlockIoResources(500, null, null, null, null, null, null)));
        assertEquals("500", read(c9.resolve("io.bfq.weight")));
        assertEquals("default 100", read(c9.resolve("io.weight")));
    }

    @Test
    void statsParseTheKernelFormats() throws IOException {
        Path s = cgroup(root.resolve("jctr/s"));
        files(s, Map.of(
                "memory.current", "1048576", "memory.peak", "2097152", "memory.max", "4194304",
                "memory.stat", "anon 100\nfile 2000\nkernel 30\n", "memory.events", "low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\n",
                "memory.swap.current", "0", "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"
                        + "nr_periods 10\nnr_throttled 4\nthrottled_usec 250\n",
                "pids.current", "3", "io.stat", "8:16 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n",
                "hugetlb.2MB.current", "2097152"));
        files(s, Map.of("hugetlb.2MB.events", "max 5\n", "hugetlb.2MB.rsvd.current", "0"));
        ResourceStats st = hierarchy.stats(handle("/jctr/s"));
        assertEquals(1048576, st.memory().usage());
        assertEquals(2097152, st.memory().maxUsage());
        assertEquals(4194304, st.memory().limit());
        assertEquals(2000, st.memory().cache());
        assertEquals(Long.MAX_VALUE, st.memory().swapLimit());
        assertEquals(7, st.memory().failcnt());
        assertEquals(30L, st.memory().raw().get("kernel"));
        assertEquals(1_500_000, st.cpu().total());
        assertEquals(1_000_000, st.cpu().user());
        assertEquals(500_000, st.cpu().system());
        assertEquals(10, st.cpu().periods());
        assertEquals(4, st.cpu().throttledPeriods());
        assertEquals(250_000, st.cpu().throttledTime());
        assertEquals(3, st.pids().current());
        assertEquals(0, st.pids().limit(), "max is reported as 0, no limit");
        assertTrue(st.blockIo().serviceBytes().contains(new ResourceStats.BlkioEntry(8, 16, "Write", 8192)));
        assertTrue(st.blockIo().serviced().contains(new ResourceStats.BlkioEntry(8, 16, "Read", 1)));
        assertEquals(Map.of("2MB", new ResourceStats.Hugetlb(2097152, 0, 5)), st.hugetlb());
    }

    @Test
    void deleteRemovesAnEmptyCgroupAndToleratesAMissingOne() throws IOException {
        Files.createDirectories(root.resolve("jctr/gone/child"));
        hierarchy.delete(handle("/jctr/gone"));
        assertFalse(Files.exists(root.resolve("jctr/gone")));
        hierarchy.delete(handle("/jctr/gone"));
    }

    @Test
    void handlesOfOtherDriversOrRootsAreRefused() {
        assertThrows(InvalidConfigException.class, () -> hierarchy.stats(
                new CgroupHandle("cgroup-v1", "/jctr/x", null, List.of(), Map.of())));
        assertThrows(InvalidConfigException.class, () -> hierarchy.stats(
                new CgroupHandle("cgroup-v2", "/jctr/x", null, List.of(), Map.of("root", "/elsewhere"))));
        assertThrows(InvalidConfigException.class, () -> hierarchy.delete(handle("/")));
    }

    @Test
    void pathsResolveAgainstTheParent() {
        assertEquals("/jctr/abc", hierarchy.pathFor("abc", null));
        assertEquals("/jctr/pod/abc", hierarchy.pathFor("abc", "pod/abc"));
        assertEquals("/custom/abc", hierarchy.pathFor("abc", "//custom//abc/"));
        assertThrows(InvalidConfigException.class, () -> hierarchy.pathFor("abc", "/x/../../etc"));
    }

    private CgroupHandle handle(String path) {
        return new CgroupHandle("cgroup-v2", path, root.resolve(path.substring(1)).toString(), List.of(),
                Map.of("root", root.toString()));
    }
}
