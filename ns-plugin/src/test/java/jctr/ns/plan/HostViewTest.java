package jctr.ns.plan;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import jctr.ns.plan.HostView.CgroupHierarchy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostViewTest {

    @Test
    void findsTheCgroupHierarchiesUnderSysFsCgroup() {
        assertEquals(List.of(
                new CgroupHierarchy("/sys/fs/cgroup/cpu,cpuacct", "cgroup", "cpu,cpuacct"),
                new CgroupHierarchy("/sys/fs/cgroup/memory", "cgroup", "memory"),
                new CgroupHierarchy("/sys/fs/cgroup/systemd", "cgroup", "name=systemd"),
                new CgroupHierarchy("/sys/fs/cgroup/unified", "cgroup2", "")), Hosts.hybrid().cgroupHierarchies());
        assertEquals(List.of(new CgroupHierarchy("/sys/fs/cgroup", "cgroup2", "")), Hosts.unified().cgroupHierarchies());
    }

    @Test
    void matchesOwnCgroupsByControllerSet() {
        HostView h = Hosts.hybrid();
        assertEquals("/supervisor/job", h.ownCgroup(new CgroupHierarchy("/sys/fs/cgroup/memory", "cgroup", "memory")));
        assertEquals("/", h.ownCgroup(new CgroupHierarchy("/x", "cgroup", "cpuacct,cpu")));
        assertEquals("/", h.ownCgroup(new CgroupHierarchy("/x", "cgroup", "pids")));
        assertEquals(Map.of("memory", "/a", "", "/b", "name=systemd", "/c:d"),
                HostView.parseProcCgroup("4:memory:/a\n0::/b\n9:name=systemd:/c:d\n"));
    }

    @Test
    void initramfsRoot() {
        assertFalse(Hosts.hybrid().rootIsRamfs());
        assertTrue(Hosts.initramfs().rootIsRamfs());
    }

    @Test
    void readsThisHost() {
        HostView h = HostView.current();
        assertTrue(h.lastCap() >= 36, "cap_last_cap read fully: " + h.lastCap());
        assertFalse(h.mounts().isEmpty());
    }
}
