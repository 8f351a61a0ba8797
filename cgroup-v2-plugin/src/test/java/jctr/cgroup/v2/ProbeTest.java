package jctr.cgroup.v2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.host.CgroupMode;
import jctr.kernel.host.HostInfo;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ProbeResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbeTest {

    private final CgroupV2Driver driver = new CgroupV2Driver();

    private static DriverContext context(HostInfo host) {
        return new DriverContext(Path.of("/run/jctr"), Path.of("/var/lib/jctr"), Map.of(), host);
    }

    @Test
    void thisHybridHostIsRefusedWithTheReason() {
        HostInfo host = HostInfo.detect();
        Assumptions.assumeTrue(host.cgroupMode() == CgroupMode.HYBRID && !host.unifiedControllers().contains("memory"),
                "this test describes the project's hybrid build hosts; here the mode is " + host.cgroupMode());
        ProbeResult p = driver.probe(context(host));
        assertFalse(p.available());
        assertTrue(p.detail().startsWith("cgroup2 at " + host.unifiedMount() + " (hybrid mode) offers "), p.detail());
        assertTrue(p.detail().contains("missing: cpu, memory, pids"), p.detail());
        assertTrue(p.detail().contains("cpu, memory, pids are bound to cgroup v1 hierarchies"), p.detail());
        for (String c : host.unifiedControllers()) {
            assertTrue(p.detail().contains(c), p.detail());
        }
    }

    @Test
    void initializeRefusesUnknownOptionsAndAnUnusableHost() {
        HostInfo legacy = new HostInfo("6.1", "x86_64", CgroupMode.LEGACY, null, Set.of(), Map.of(), Set.of(), true);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> driver.initialize(
                context(legacy).withOptions(Map.of("parnet", "/x"))));
        assertEquals("driverOptions.cgroup-v2.parnet", e.field());
        UnsupportedFeatureException u = assertThrows(UnsupportedFeatureException.class,
                () -> driver.initialize(context(legacy)));
        assertTrue(u.getMessage().endsWith("no cgroup2 file system is mounted (cgroup mode LEGACY)"), u.getMessage());
        assertThrows(IllegalStateException.class, () -> driver.pids(
                new jctr.kernel.spi.CgroupHandle("cgroup-v2", "/jctr/x", null, null, null)));
    }

    @Test
    void aHostWithoutCgroup2IsRefused() {
        HostInfo host = new HostInfo("6.1", "x86_64", CgroupMode.LEGACY, null, Set.of(),
                Map.of("memory", Path.of("/sys/fs/cgroup/memory")), Set.of(), true);
        ProbeResult p = driver.probe(context(host));
        assertFalse(p.available());
        assertEquals("no cgroup2 file system is mounted (cgroup mode LEGACY)", p.detail());
    }

    @Test
    void aTmpfsWithoutSubtreeControlIsNotAHierarchy(@TempDir Path dir) {
        HostInfo host = new HostInfo("6.1", "x86_64", CgroupMode.UNIFIED, dir, Set.of("cpu", "memory", "pids"),
                Map.of(), Set.of(), true);
        ProbeResult p = driver.probe(context(host));
        assertFalse(p.available());
        assertTrue(p.detail().contains("no cgroup.subtree_control"), p.detail());
    }

    @Test
    void aUnifiedHostWithTheControllersIsAvailable(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("cgroup.subtree_control"), "");
        HostInfo host = new HostInfo("6.1", "x86_64", CgroupMode.UNIFIED, dir, Set.of("cpu", "io", "memory", "pids"),
                Map.of(), Set.of(), true);
        ProbeResult p = driver.probe(context(host));
        assertTrue(p.available(), p.detail());
        assertEquals("cgroup2 at " + dir + ", controllers: cpu io memory pids", p.detail());
        assertEquals(100, driver.autoPriority());
    }
}
