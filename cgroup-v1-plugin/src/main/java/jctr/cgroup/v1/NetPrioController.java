package jctr.cgroup.v1;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.NetworkPriority;

/** {@code net_prio}: a priority per network interface, one {@code <interface> <priority>} line each. */
final class NetPrioController implements Controller {

    static final String FIELD = "linux.resources.network.priorities";

    @Override
    public String name() {
        return "net_prio";
    }

    @Override
    public Optional<String> requestedField(LinuxResources resources) {
        return priorities(resources).isEmpty() ? Optional.empty() : Optional.of(FIELD);
    }

    @Override
    public void validate(LinuxResources resources) {
        List<NetworkPriority> list = priorities(resources);
        for (int i = 0; i < list.size(); i++) {
            Checks.word(FIELD + "[" + i + "].name", list.get(i).name());
            Checks.notNegative(FIELD + "[" + i + "].priority", list.get(i).priority());
        }
    }

    @Override
    public void apply(Path dir, LinuxResources resources) {
        List<NetworkPriority> list = priorities(resources);
        for (int i = 0; i < list.size(); i++) {
            CgroupFiles.write(dir.resolve("net_prio.ifpriomap"), list.get(i).name() + " " + list.get(i).priority(),
                    FIELD + "[" + i + "]");
        }
    }

    private static List<NetworkPriority> priorities(LinuxResources resources) {
        return resources.network() == null ? List.of() : resources.network().priorities();
    }

}
