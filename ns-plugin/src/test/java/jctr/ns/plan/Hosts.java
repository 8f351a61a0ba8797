package jctr.ns.plan;

import java.util.Map;

import jctr.kernel.host.MountEntry;

/** Host views for plan tests: a hybrid cgroup host like the CI machine, and a pure cgroup2 host. */
final class Hosts {

    static final String HYBRID_MOUNTINFO = """
            22 27 0:21 / /proc rw,relatime - proc proc rw
            23 27 0:22 / /sys rw,relatime - sysfs sysfs rw
            24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,mode=755
            27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            50 27 0:40 / /var/lib/images rw,relatime - ext4 /dev/vdb rw
            """;

    static final String UNIFIED_MOUNTINFO = """
            22 27 0:21 / /proc rw,relatime - proc proc rw
            23 27 0:22 / /sys rw,relatime - sysfs sysfs rw
            27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
            31 23 0:28 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw,nsdelegate
            """;

    private Hosts() {
    }

    static HostView hybrid() {
        return new HostView(MountEntry.parseAll(HYBRID_MOUNTINFO), Map.of("cpu", "cpu,cpuacct", "cpuacct", "cpu,cpuacct"),
                Map.of("cpu,cpuacct", "/", "memory", "/supervisor/job", "name=systemd", "/", "", "/"), 40);
    }

    static HostView unified() {
        return new HostView(MountEntry.parseAll(UNIFIED_MOUNTINFO), Map.of(), Map.of("", "/user.slice"), 40);
    }

    static HostView initramfs() {
        return new HostView(MountEntry.parseAll("1 0 0:1 / / rw - rootfs rootfs rw\n"), Map.of(), Map.of(), 40);
    }
}
