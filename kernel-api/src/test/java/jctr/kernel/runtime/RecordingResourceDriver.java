package jctr.kernel.runtime;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.ResourceDriver;
import jctr.kernel.spi.ResourceEventListener;
import jctr.kernel.spi.ResourceStats;
import jctr.kernel.spi.Subscription;

/**
 * Test double of a resource driver: no cgroup, it records every call ("create /x", "freeze /x", ...) so
 * that tests can assert what the runtime asked for and that it cleaned up.
 */
final class RecordingResourceDriver implements ResourceDriver {

    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile List<Integer> pids = List.of();

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public ProbeResult probe(DriverContext context) {
        return ProbeResult.available("test double");
    }

    @Override
    public CgroupHandle create(String containerId, String cgroupsPath, LinuxResources resources) {
        String path = cgroupsPath != null ? cgroupsPath : "/jctr/" + containerId;
        calls.add("create " + path);
        return new CgroupHandle(name(), path, null, List.of(), Map.of());
    }

    @Override
    public void update(CgroupHandle cgroup, LinuxResources resources) {
        calls.add("update " + cgroup.path() + " " + resources.pids().limit());
    }

    @Override
    public ResourceStats stats(CgroupHandle cgroup) {
        calls.add("stats " + cgroup.path());
        return new ResourceStats(Instant.now(), null, null, new ResourceStats.Pids(pids.size(), 0), null, null);
    }

    @Override
    public void freeze(CgroupHandle cgroup) {
        calls.add("freeze " + cgroup.path());
    }

    @Override
    public void thaw(CgroupHandle cgroup) {
        calls.add("thaw " + cgroup.path());
    }

    @Override
    public List<Integer> pids(CgroupHandle cgroup) {
        return pids;
    }

    @Override
    public void delete(CgroupHandle cgroup) {
        calls.add("delete " + cgroup.path());
    }

    @Override
    public Subscription watch(CgroupHandle cgroup, ResourceEventListener listener) {
        calls.add("watch " + cgroup.path());
        return () -> calls.add("unwatch " + cgroup.path());
    }
}
