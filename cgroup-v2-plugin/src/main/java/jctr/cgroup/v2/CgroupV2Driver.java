package jctr.cgroup.v2;

import java.util.List;

import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.ResourceDriver;
import jctr.kernel.spi.ResourceEventListener;
import jctr.kernel.spi.ResourceStats;
import jctr.kernel.spi.Subscription;

/** cgroup v2: the unified hierarchy. Skeleton until issue #4 lands: its probe says so. */
public final class CgroupV2Driver implements ResourceDriver {

    @Override
    public String name() {
        return "cgroup-v2";
    }

    @Override
    public String description() {
        return "cgroup v2: the unified hierarchy";
    }

    @Override
    public int autoPriority() {
        return 100;
    }

    @Override
    public ProbeResult probe(DriverContext context) {
        return ProbeResult.unavailable("not implemented yet (issue #4); host cgroup mode: "
                + context.host().cgroupMode());
    }

    @Override
    public CgroupHandle create(String containerId, String cgroupsPath, LinuxResources resources) {
        throw notYet();
    }

    @Override
    public void update(CgroupHandle cgroup, LinuxResources resources) {
        throw notYet();
    }

    @Override
    public ResourceStats stats(CgroupHandle cgroup) {
        throw notYet();
    }

    @Override
    public void freeze(CgroupHandle cgroup) {
        throw notYet();
    }

    @Override
    public void thaw(CgroupHandle cgroup) {
        throw notYet();
    }

    @Override
    public List<Integer> pids(CgroupHandle cgroup) {
        throw notYet();
    }

    @Override
    public void delete(CgroupHandle cgroup) {
        throw notYet();
    }

    @Override
    public Subscription watch(CgroupHandle cgroup, ResourceEventListener listener) {
        throw notYet();
    }

    private static UnsupportedFeatureException notYet() {
        return new UnsupportedFeatureException("the cgroup-v2 driver is not implemented yet");
    }
}
