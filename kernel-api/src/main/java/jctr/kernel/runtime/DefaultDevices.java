package jctr.kernel.runtime;

import java.util.ArrayList;
import java.util.List;

import jctr.kernel.oci.Device;
import jctr.kernel.oci.DeviceRule;
import jctr.kernel.oci.LinuxResources;

/**
 * The device cgroup rules the runtime adds after a config's own: every container gets the devices the
 * isolation driver creates in its /dev (null, zero, full, random, urandom, tty, console, ptmx, the pts
 * slaves) and those it lists in {@code linux.devices}, and may mknod any device node (opening one still
 * needs a rule). So a config that starts with "deny all", like runc's default, still has a working /dev.
 *
 * <p>A config without device rules is left alone: no rules means no device restriction.
 */
final class DefaultDevices {

    private static final String RWM = "rwm";

    /** {type, major, minor} of the devices every container's /dev has; minor -1 is any. */
    private static final long[][] STANDARD = {
        {'c', 1, 3}, {'c', 1, 5}, {'c', 1, 7}, {'c', 1, 8}, {'c', 1, 9},
        {'c', 5, 0}, {'c', 5, 1}, {'c', 5, 2}, {'c', 136, -1},
    };

    private DefaultDevices() {
    }

    /** {@code resources} with the default rules appended to its device rules, when it has any. */
    static LinuxResources appendTo(LinuxResources resources, List<Device> configDevices) {
        if (resources.devices().isEmpty()) {
            return resources;
        }
        List<DeviceRule> rules = new ArrayList<>(resources.devices());
        rules.add(new DeviceRule(true, "c", null, null, "m"));
        rules.add(new DeviceRule(true, "b", null, null, "m"));
        for (long[] d : STANDARD) {
            rules.add(new DeviceRule(true, String.valueOf((char) d[0]), d[1], d[2] < 0 ? null : d[2], RWM));
        }
        for (Device d : configDevices) {
            if (!"p".equals(d.type())) { // a fifo needs no device rule; u is an unbuffered char device
                rules.add(new DeviceRule(true, "b".equals(d.type()) ? "b" : "c", d.major(), d.minor(), RWM));
            }
        }
        return new LinuxResources(rules, resources.memory(), resources.cpu(), resources.pids(), resources.blockIO(),
                resources.hugepageLimits(), resources.network(), resources.rdma(), resources.unified());
    }
}
