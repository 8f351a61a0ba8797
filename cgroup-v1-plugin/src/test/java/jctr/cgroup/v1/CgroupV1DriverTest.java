package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.AlreadyExistsException;
import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.BlockIoResources;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.DeviceRule;
import jctr.kernel.oci.HugepageLimit;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.oci.NetworkPriority;
import jctr.kernel.oci.NetworkResources;
import jctr.kernel.oci.PidsResources;
import jctr.kernel.oci.RdmaResources;
import jctr.kernel.oci.ThrottleDevice;
import jctr.kernel.oci.WeightDevice;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ResourceDriver;
import jctr.kernel.spi.ResourceStats;

/** The driver against a fake hierarchy: which file gets which value, and what is refused before any write. */
class CgroupV1DriverTest {

    static LinuxResources resources(MemoryResources m, CpuResources c, PidsResources p) {
        return new LinuxResources(null, m, c, p, null, null, null, null, null);
    }

    static MemoryResources memory(Long limit, Long swap) {
        return new MemoryResources(limit, null, swap, null, null, null, null, null, null);
    }

    static CpuResources cpu(Long shares, Long quota, Long period) {
        return new CpuResources(shares, quota, null, period, null, null, null, null, null);
    }

    @Test
    void everyFieldLandsInItsFile(@TempDir Path tmp) {
        FakeHierarchy fs = new FakeHierarchy(tmp).cgroup("jctr/c1");
        LinuxResources r = new LinuxResources(
                List.of(new DeviceRule(false, "a", null, null, "rwm"), new DeviceRule(true, "c", 1L, 3L, "rw")),
                new MemoryResources(64L << 20, 32L << 20, 128L << 20, null, 16L << 20, 10L, true, true, null),
                new CpuResources(512L, 20000L, 5000L, 100000L, 1000L, 1000000L, "0", "0", 1L),
                new PidsResources(42),
                new BlockIoResources(300, null, List.of(new WeightDevice(254, 0, 400, null)),
                        List.of(new ThrottleDevice(254, 0, 1048576)), List.of(new ThrottleDevice(254, 0, 2097152)),
                        List.of(new ThrottleDevice(254, 0, 100)), List.of(new ThrottleDevice(254, 0, 200))),
                List.of(new HugepageLimit("2MB", 4L << 20)),
                new NetworkResources(0x100001L, List.of(new NetworkPriority("lo", 7))),
                Map.of("mlx5_0", new RdmaResources(2L, 2000L)),
                null);

        CgroupHandle h = fs.driver().create("c1", null, r);

        assertEquals(Long.toString(64L << 20), fs.read("memory", "jctr/c1", "memory.limit_in_bytes"));
        assertEquals(Long.toString(32L << 20), fs.read("memory", "jctr/c1", "memory.soft_limit_in_bytes"));
        assertEquals(Long.toString(128L << 20), fs.read("memory", "jctr/c1", "memory.memsw.limit_in_bytes"));
        assertEquals(Long.toString(16L << 20), fs.read("memory", "jctr/c1", "memory.kmem.tcp.limit_in_bytes"));
        assertEquals("10", fs.read("memory", "jctr/c1", "memory.swappiness"));
        assertEquals("1", fs.read("memory", "jctr/c1", "memory.oom_control"));
        assertEquals("1", fs.read("memory", "jctr/c1", "memory.use_hierarchy"));
        assertEquals("512", fs.read("cpu", "jctr/c1", "cpu.shares"));
        assertEquals("20000", fs.read("cpu", "jctr/c1", "cpu.cfs_quota_us"));
        assertEquals("100000", fs.read("cpu", "jctr/c1", "cpu.cfs_period_us"));
        assertEquals("5000", fs.read("cpu", "jctr/c1", "cpu.cfs_burst_us"));
        assertEquals("1000", fs.read("cpu", "jctr/c1", "cpu.rt_runtime_us"));
        assertEquals("1000000", fs.read("cpu", "jctr/c1", "cpu.rt_period_us"));
        assertEquals("1", fs.read("cpu", "jctr/c1", "cpu.idle"));
        assertEquals("0", fs.read("cpuset", "jctr/c1", "cpuset.cpus"));
        assertEquals("0", fs.read("cpuset", "jctr/c1", "cpuset.mems"));
        assertEquals("42", fs.read("pids", "jctr/c1", "pids.max"));
        assertEquals("300", fs.read("blkio", "jctr/c1", "blkio.bfq.weight"));
        assertEquals("254:0 400", fs.read("blkio", "jctr/c1", "blkio.bfq.weight_device"));
        assertEquals("254:0 1048576", fs.read("blkio", "jctr/c1", "blkio.throttle.read_bps_device"));
        assertEquals("254:0 2097152", fs.read("blkio", "jctr/c1", "blkio.throttle.write_bps_device"));
        assertEquals("254:0 100", fs.read("blkio", "jctr/c1", "blkio.throttle.read_iops_device"));
        assertEquals("254:0 200", fs.read("blkio", "jctr/c1", "blkio.throttle.write_iops_device"));
        assertEquals(Long.toString(4L << 20), fs.read("hugetlb", "jctr/c1", "hugetlb.2MB.limit_in_bytes"));
        // the fake keeps only the last write of each file; DevicesIT checks the whole list on the real kernel
        assertEquals("c 1:3 rw", fs.read("devices", "jctr/c1", "devices.allow"));
        assertEquals("a", fs.read("devices", "jctr/c1", "devices.deny"));
        assertEquals(Long.toString(0x100001L), fs.read("net_cls", "jctr/c1", "net_cls.classid"));
        assertEquals("lo 7", fs.read("net_prio", "jctr/c1", "net_prio.ifpriomap"));
        assertEquals("mlx5_0 hca_handle=2 hca_object=2000", fs.read("rdma", "jctr/c1", "rdma.max"));

        assertEquals("cgroup-v1", h.driver());
        assertEquals("/jctr/c1", h.path());
        assertNull(h.cloneIntoDir());
        assertEquals(FakeHierarchy.FILES.size(), h.procsFiles().size());
        assertTrue(h.procsFiles().contains(fs.mount("memory").resolve("jctr/c1/cgroup.procs").toString()));
    }

    @Test
    void updateChangesOnlyTheFieldsItSets(@TempDir Path tmp) {
        FakeHierarchy fs = new FakeHierarchy(tmp).cgroup("jctr/c1");
        CgroupV1Driver d = fs.driver();
        CgroupHandle h = d.create("c1", null, resources(memory(64L << 20, null), cpu(512L, null, null), new PidsResources(10)));

        d.update(h, resources(null, cpu(null, 50000L, null), new PidsResources(-1)));

        assertEquals(Long.toString(64L << 20), fs.read("memory", "jctr/c1", "memory.limit_in_bytes"));
        assertEquals("512", fs.read("cpu", "jctr/c1", "cpu.shares"));
        assertEquals("50000", fs.read("cpu", "jctr/c1", "cpu.cfs_quota_us"));
        assertEquals("100000", fs.read("cpu", "jctr/c1", "cpu.cfs_period_us"));
        assertEquals("max", fs.read("pids", "jctr/c1", "pids.max"));
    }

    @Test
    void unlimitedMemoryWithoutSwapLiftsTheSwapLimitToo(@TempDir Path tmp) {
        FakeHierarchy fs = new FakeHierarchy(tmp).cgroup("jctr/c1");
        CgroupV1Driver d = fs.driver();
        CgroupHandle h = d.create("c1", null, resources(memory(32L << 20, 32L << 20), null, null));
        d.update(h, resources(memory(-1L, null), null, null));
        assertEquals("-1", fs.read("memory", "jctr/c1", "memory.limit_in_bytes"));
        assertEquals("-1", fs.read("memory", "jctr/c1", "memory.memsw.limit_in_bytes"));
    }

    @Test
    void cgroupsPathAndParentOptionChooseTheDirectory(@TempDir Path tmp) {
        FakeHierarchy fs = new FakeHierarchy(tmp).cgroup("jctr-test/u1/c1").cgroup("machine/x");
        CgroupV1Driver d = new CgroupV1Driver();
        d.initialize(fs.context(Map.of("parent", "jctr-test/u1")));
        assertEquals("/jctr-test/u1/c1", d.create("c1", null, LinuxResources.EMPTY).path());
        assertEquals("/machine/x", d.create("c2", "/machine/x", LinuxResources.EMPTY).path());
    }

    @Test
    void aCgroupWithProcessesIsNotTakenOver(@TempDir Path tmp) {
        FakeHierarchy fs = new FakeHierarchy(tmp).cgroup("jctr/c1");
        fs.write("pids", "jctr/c1", "cgroup.procs", "4242\n");
        assertThrows(AlreadyExistsException.class, () -> fs.driver().create("c1", null, LinuxResources.EMPTY));
    }

    @Test
    void fieldsOfControllersThatAreNotMountedAreUnsupportedByName(@TempDir Path tmp) {
        FakeHierarchy fs = new FakeHierarchy(tmp, Set.of("cpu", "cpuacct", "memory", "pids", "freezer", "devices"))
                .cgroup("jctr/c1");
        CgroupV1Driver d = fs.driver();
        Map<Path, String> before = fs.snapshot();
        LinuxResources huge = new LinuxResources(null, null, null, null, null, List.of(new HugepageLimit("2MB", 1L << 21)),
                null, null, null);
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> d.create("c1", null, huge));
        assertTrue(e.getMessage().startsWith("linux.resources.hugepageLimits: the hugetlb controller"), e.getMessage());
        LinuxResources cpus = resources(null, new CpuResources(null, null, null, null, null, null, "0", null, null), null);
        e = assertThrows(UnsupportedFeatureException.class, () -> d.create("c1", null, cpus));
        assertTrue(e.getMessage().startsWith("linux.resources.cpu.cpus: the cpuset controller"), e.getMessage());
        assertEquals(before, fs.snapshot());
    }

    @Test
    void unifiedKeysNeedCgroupV2(@TempDir Path tmp) {
        FakeHierarchy fs = new FakeHierarchy(tmp).cgroup("jctr/c1");
        LinuxResources r = new LinuxResources(null, null, null, null, null, null, null, null, Map.of("memory.high", "1G"));
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> fs.driver().create("c1", null, r));
        assertTrue(e.getMessage().contains("linux.resources.unified"), e.getMessage());
    }

    @Test
    void missingControlFilesAreUnsupportedByNameAndNothingIsWritten(@TempDir Path tmp) {
        FakeHierarchy fs = new FakeHierarchy(tmp).cgroup("jctr/c1");
        fs.remove("memory", "jctr/c1", "memory.memsw.limit_in_bytes");
        fs.remove("blkio", "jctr/c1", "blkio.bfq.weight");
        fs.remove("cpu", "jctr/c1", "cpu.idle");
        CgroupV1Driver d = fs.driver();
        Map<Path, String> before = fs.snapshot();

        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> d.create("c1", null, resources(memory(32L << 20, 64L << 20), cpu(512L, null, null), null)));
        assertTrue(e.getMessage().startsWith("linux.resources.memory.swap: swap accounting is off"), e.getMessage());
        LinuxResources weight = new LinuxResources(null, null, null, null,
                new BlockIoResources(500, null, null, null, null, null, null), null, null, null, null);
        e = assertThrows(UnsupportedFeatureException.class, () -> d.create("c1", null, weight));
        assertTrue(e.getMessage().startsWith("linux.resources.blockIO.weight:"), e.getMessage());
        LinuxResources idle = resources(null, new CpuResources(null, null, null, null, null, null, null, null, 1L), null);
        e = assertThrows(UnsupportedFeatureException.class, () -> d.create("c1", null, idle));
        assertTrue(e.getMessage().startsWith("linux.resources.cpu.idle:"), e.getMessage());
        assertEquals(before, fs.snapshot());
    }

    @Test
    void checkBeforeUpdateRefusesALimitBelowUsage(@TempDir Path tmp) {
        FakeHierarchy fs = new FakeHierarchy(tmp).cgroup("jctr/c1");
        CgroupV1Driver d = fs.driver();
        CgroupHandle h = d.create("c1", null, LinuxResources.EMPTY);
        fs.write("memory", "jctr/c1", "memory.usage_in_bytes", Long.toString(40L << 20));
        MemoryResources m = new MemoryResources(32L << 20, null, null, null, null, null, null, null, true);
        ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> d.update(h, resources(m, null, null)));
        assertTrue(e.getMessage().startsWith("linux.resources.memory.limit:"), e.getMessage());
        assertEquals(FakeHierarchy.UNLIMITED, fs.read("memory", "jctr/c1", "memory.limit_in_bytes"));
    }

    @Test
    void statsReadEveryController(@TempDir Path tmp) {
        FakeHierarchy fs = new FakeHierarchy(tmp).cgroup("jctr/c1");
        CgroupV1Driver d = fs.driver();
        CgroupHandle h = d.create("c1", null, resources(memory(64L << 20, null), null, new PidsResources(50)));
        fs.write("memory", "jctr/c1", "memory.usage_in_bytes", "1000");
        fs.write("memory", "jctr/c1", "memory.max_usage_in_bytes", "2000");
        fs.write("memory", "jctr/c1", "memory.failcnt", "3");
        fs.write("memory", "jctr/c1", "memory.memsw.failcnt", "2");
        fs.write("memory", "jctr/c1", "memory.memsw.usage_in_bytes", "1500");
        fs.write("memory", "jctr/c1", "memory.stat", "cache 10\nrss 20\ntotal_cache 11\ntotal_rss 21\n");
        fs.write("cpuacct", "jctr/c1", "cpuacct.usage", "123456789");
        fs.write("cpuacct", "jctr/c1", "cpuacct.usage_percpu", "100000000 23456789 \n");
        fs.write("cpuacct", "jctr/c1", "cpuacct.stat", "user 7\nsystem 5\n");
        fs.write("cpu", "jctr/c1", "cpu.stat", "nr_periods 10\nnr_throttled 4\nthrottled_time 999\n");
        fs.write("pids", "jctr/c1", "pids.current", "7");
        fs.write("blkio", "jctr/c1", "blkio.throttle.io_service_bytes_recursive",
                "254:0 Read 4096\n254:0 Write 0\n254:0 Total 4096\nTotal 4096\n");
        fs.write("blkio", "jctr/c1", "blkio.throttle.io_serviced_recursive", "254:0 Read 1\nTotal 1\n");
        fs.write("hugetlb", "jctr/c1", "hugetlb.2MB.usage_in_bytes", "2097152");
        fs.write("hugetlb", "jctr/c1", "hugetlb.2MB.failcnt", "1");

        ResourceStats s = d.stats(h);

        assertEquals(new ResourceStats.Memory(1000, 2000, 64L << 20, 11, 1500, Long.MAX_VALUE, 5,
                Map.of("cache", 10L, "rss", 20L, "total_cache", 11L, "total_rss", 21L)), s.memory());
        assertEquals(new ResourceStats.Cpu(123456789, List.of(100000000L, 23456789L), 70_000_000L, 50_000_000L, 10, 4, 999),
                s.cpu());
        assertEquals(new ResourceStats.Pids(7, 50), s.pids());
        assertEquals(List.of(new ResourceStats.BlkioEntry(254, 0, "Read", 4096), new ResourceStats.BlkioEntry(254, 0, "Write", 0),
                new ResourceStats.BlkioEntry(254, 0, "Total", 4096)), s.blockIo().serviceBytes());
        assertEquals(List.of(new ResourceStats.BlkioEntry(254, 0, "Read", 1)), s.blockIo().serviced());
        assertEquals(new ResourceStats.Hugetlb(2097152, 0, 1), s.hugetlb().get("2MB"));
        assertEquals(new ResourceStats.Hugetlb(0, 0, 0), s.hugetlb().get("1GB"));
    }

    @Test
    void cpusetOfANewDirectoryIsCopiedFromItsParent(@TempDir Path tmp) {
        FakeHierarchy fs = new FakeHierarchy(tmp).cgroup("jctr/c1");
        fs.write("cpuset", "jctr", "cpuset.cpus", "0-3");
        fs.write("cpuset", "jctr/c1", "cpuset.cpus", "");
        fs.write("cpuset", "jctr/c1", "cpuset.mems", "");
        new CpusetController().initialize(fs.mount("cpuset").resolve("jctr/c1"));
        assertEquals("0-3", fs.read("cpuset", "jctr/c1", "cpuset.cpus"));
        assertEquals("0", fs.read("cpuset", "jctr/c1", "cpuset.mems"));
    }

    @Test
    void probeNeedsTheCoreControllers(@TempDir Path tmp) {
        FakeHierarchy partial = new FakeHierarchy(tmp.resolve("a"), Set.of("cpu", "cpuacct", "memory", "devices"));
        var p = new CgroupV1Driver().probe(partial.context(Map.of()));
        assertFalse(p.available());
        assertTrue(p.detail().contains("pids") && p.detail().contains("freezer"), p.detail());
        FakeHierarchy full = new FakeHierarchy(tmp.resolve("b"));
        p = new CgroupV1Driver().probe(full.context(Map.of()));
        assertTrue(p.available(), p.detail());
        assertTrue(p.detail().contains("memory at " + full.mount("memory")), p.detail());
    }

    @Test
    void handlesFromElsewhereOrPointingOutsideTheirPathAreRefused(@TempDir Path tmp) {
        FakeHierarchy fs = new FakeHierarchy(tmp).cgroup("jctr/c1");
        CgroupV1Driver d = fs.driver();
        CgroupHandle good = d.create("c1", null, LinuxResources.EMPTY);
        CgroupHandle v2 = new CgroupHandle("cgroup-v2", good.path(), null, good.procsFiles(), good.driverState());
        assertThrows(InvalidConfigException.class, () -> d.pids(v2));
        CgroupHandle root = new CgroupHandle("cgroup-v1", good.path(), null, good.procsFiles(),
                Map.of("dir.memory", fs.mount("memory").toString()));
        assertThrows(InvalidConfigException.class, () -> d.delete(root));
        CgroupHandle gone = new CgroupHandle("cgroup-v1", "/jctr/c9", null, List.of(),
                Map.of("dir.memory", fs.mount("memory").resolve("jctr/c9").toString()));
        assertThrows(NotFoundException.class, () -> d.stats(gone));
        d.delete(gone); // deleting what is not there succeeds
    }

    @Test
    void theDriverIsAServiceNamedCgroupV1() {
        ResourceDriver d = ServiceLoader.load(ResourceDriver.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("cgroup-v1")).findFirst().orElseThrow();
        assertTrue(d instanceof CgroupV1Driver);
        assertEquals(50, d.autoPriority());
    }

    @Test
    void devicesRulesBecomeKernelEntries() {
        assertEquals(List.of("a"), DevicesController.entries(new DeviceRule(false, null, null, null, null)));
        assertEquals(List.of("a"), DevicesController.entries(new DeviceRule(true, "a", null, null, "mwr")));
        assertEquals(List.of("c *:* m", "b *:* m"), DevicesController.entries(new DeviceRule(true, "a", null, null, "m")));
        assertEquals(List.of("c 1:3 rw"), DevicesController.entries(new DeviceRule(true, "c", 1L, 3L, "wr")));
        assertEquals(List.of("b 8:* rwm"), DevicesController.entries(new DeviceRule(false, "b", 8L, null, "")));
    }
}
