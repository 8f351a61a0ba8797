package jctr.cgroup.v1;

import java.nio.file.Path;
import java.util.Optional;

import jctr.kernel.oci.LinuxResources;

/** {@code net_cls}: the class id tagged on the cgroup's packets, for tc and iptables. */
final class NetClsController implements Controller {

    static final String CLASS_ID = "linux.resources.network.classID";

    @Override
    public String name() {
        return "net_cls";
    }

    @Override
    public Optional<String> requestedField(LinuxResources resources) {
        return resources.network() != null && resources.network().classID() != null
                ? Optional.of(CLASS_ID) : Optional.empty();
    }

    @Override
    public void validate(LinuxResources resources) {
        if (resources.network() != null) {
            Checks.range(CLASS_ID, resources.network().classID(), 0, 0xFFFFFFFFL);
        }
    }

    @Override
    public void apply(Path dir, LinuxResources resources) {
        if (requestedField(resources).isPresent()) {
            CgroupFiles.write(dir.resolve("net_cls.classid"), Long.toString(resources.network().classID()), CLASS_ID);
        }
    }

}
