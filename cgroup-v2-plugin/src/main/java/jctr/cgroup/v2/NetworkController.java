package jctr.cgroup.v2;

import java.util.List;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.NetworkResources;

/**
 * {@code linux.resources.network}: net_cls and net_prio exist only as cgroup v1 controllers, so any
 * setting is refused rather than silently dropped.
 */
final class NetworkController implements Controller {

    @Override
    public List<Write> translate(LinuxResources resources, CgroupView current) {
        NetworkResources n = resources.network();
        if (n != null && (n.classID() != null || !n.priorities().isEmpty())) {
            throw Checks.unsupported(Checks.RESOURCES + ".network." + (n.classID() != null ? "classID" : "priorities"),
                    "net_cls and net_prio are cgroup v1 controllers; cgroup v2 has no equivalent");
        }
        return List.of();
    }
}
