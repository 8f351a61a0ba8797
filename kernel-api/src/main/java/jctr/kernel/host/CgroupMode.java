package jctr.kernel.host;

/** How cgroups are mounted on this host. */
public enum CgroupMode {
    /** Only cgroup2, mounted at /sys/fs/cgroup. */
    UNIFIED,
    /** v1 controller hierarchies under /sys/fs/cgroup, plus cgroup2 at /sys/fs/cgroup/unified. */
    HYBRID,
    /** Only v1 hierarchies. */
    LEGACY,
    /** No cgroup file system is mounted. */
    NONE
}
