package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.List;

import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.BlockIoResources;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.HugepageLimit;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.oci.NetworkResources;
import jctr.kernel.oci.ThrottleDevice;
import jctr.kernel.spi.CgroupHandle;

/**
 * What this host's kernel cannot do or refuses is reported by field, and a create that fails leaves no
 * cgroup behind.
 */
class HostLimitsIT extends WithTestCgroups {

    private static LinuxResources memory(MemoryResources m) {
        return new LinuxResources(null, m, null, null, null, null, null, null, null);
    }

    /** Runs a create expected to fail and checks that it left nothing behind. */
    private <E extends KernelException> E failedCreate(Class<E> type, LinuxResources r) {
        E e = assertThrows(type, () -> cg.driver.create("bad", null, r));
        assertEquals(0, cg.directoriesBelowParent(), "a failed create left a cgroup");
        return e;
    }

    @Test
    void theDeprecatedKernelMemoryLimitIsIgnoredAsRuncDoes() {
        LinuxResources r = memory(new MemoryResources(null, null, null, 64L << 20, null, null, null, null, null));
        CgroupHandle h = cg.driver.create("kmem", null, r);
        assertEquals(FakeHierarchy.UNLIMITED, CgroupFiles.read(cg.dir("memory", "kmem").resolve("memory.kmem.limit_in_bytes")));
        cg.driver.delete(h);
    }

    @Test
    void nonHierarchicalMemoryIsUnsupported() {
        UnsupportedFeatureException e = failedCreate(UnsupportedFeatureException.class,
                memory(new MemoryResources(null, null, null, null, null, null, null, false, null)));
        assertTrue(e.getMessage().startsWith("linux.resources.memory.useHierarchy:"), e.getMessage());
    }

    @Test
    void controllersThisHostDoesNotMountInV1AreUnsupportedByField() {
        assumeFalse(cg.host.v1Controllers().containsKey("hugetlb") && cg.host.v1Controllers().containsKey("net_cls"));
        if (!cg.host.v1Controllers().containsKey("hugetlb")) {
            UnsupportedFeatureException e = failedCreate(UnsupportedFeatureException.class, new LinuxResources(null, null,
                    null, null, null, List.of(new HugepageLimit("2MB", 1L << 21)), null, null, null));
            assertTrue(e.getMessage().startsWith("linux.resources.hugepageLimits:"), e.getMessage());
        }
        if (!cg.host.v1Controllers().containsKey("net_cls")) {
            UnsupportedFeatureException e = failedCreate(UnsupportedFeatureException.class, new LinuxResources(null, null,
                    null, null, null, null, new NetworkResources(0x100001L, null), null, null));
            assertTrue(e.getMessage().startsWith("linux.resources.network.classID:"), e.getMessage());
        }
    }

    @Test
    void aThrottleOnADeviceThatDoesNotExistIsTheConfigsFault() {
        InvalidConfigException e = failedCreate(InvalidConfigException.class, new LinuxResources(null, null, null, null,
                new BlockIoResources(null, null, null, List.of(new ThrottleDevice(4095, 4095, 1L << 20)), null, null, null),
                null, null, null, null));
        assertEquals("linux.resources.blockIO.throttleReadBpsDevice[0]", e.field());
        assertTrue(e.getMessage().contains("ENODEV"), e.getMessage());
    }

    @Test
    void realtimeTimeBeyondTheParentsIsALimit() {
        String parentRuntime = CgroupFiles.read(cg.host.v1Controllers().get("cpu").resolve("cpu.rt_runtime_us"));
        assumeFalse(parentRuntime.isEmpty());
        ResourceLimitException e = failedCreate(ResourceLimitException.class, new LinuxResources(null, null,
                new CpuResources(null, null, null, null, 10000L, 1000000L, null, null, null), null, null, null, null, null, null));
        assertTrue(e.getMessage().startsWith("linux.resources.cpu.realtime"), e.getMessage());
    }
}
