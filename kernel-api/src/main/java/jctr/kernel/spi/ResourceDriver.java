package jctr.kernel.spi;

import java.util.List;

import jctr.kernel.oci.LinuxResources;

/**
 * A resource driver owns a container's cgroup: it creates it, applies {@code linux.resources},
 * reports usage and events, freezes and thaws it, and removes it.
 *
 * <p>It never starts processes. Placing the container's init in the cgroup is done by the
 * {@link IsolationDriver} using the {@link CgroupHandle} this driver returns, before any user code runs.
 *
 * <p>Implementations in jctr: {@code cgroup-v1} (one hierarchy per controller) and {@code cgroup-v2}
 * (the unified hierarchy).
 */
public interface ResourceDriver extends Driver {

    /**
     * Creates the container's cgroup and applies {@code resources}.
     *
     * @param containerId the container's id (used for a default path)
     * @param cgroupsPath {@code linux.cgroupsPath} from the config, or null for the driver's default
     *                    (e.g. {@code /jctr/<containerId>}); an absolute path is taken relative to the
     *                    hierarchy root, a relative one relative to the driver's parent
     * @param resources what to apply; fields that are null are left at the kernel's defaults
     * @return where the cgroup is and how to place a process in it; the kernel persists it
     * @throws jctr.kernel.AlreadyExistsException if the cgroup exists and holds processes
     * @throws jctr.kernel.InvalidConfigException naming the {@code linux.resources.*} field that is invalid
     * @throws jctr.kernel.UnsupportedFeatureException for a setting this host's kernel lacks
     */
    CgroupHandle create(String containerId, String cgroupsPath, LinuxResources resources);

    /**
     * Changes the resources of a live cgroup. Only the non-null fields of {@code resources} change.
     */
    void update(CgroupHandle cgroup, LinuxResources resources);

    /** Current usage and limits. */
    ResourceStats stats(CgroupHandle cgroup);

    /** Freezes every process of the cgroup and returns once the freeze is complete. */
    void freeze(CgroupHandle cgroup);

    /** Thaws a frozen cgroup. */
    void thaw(CgroupHandle cgroup);

    /** The host pids of the processes in the cgroup (including sub-cgroups). */
    List<Integer> pids(CgroupHandle cgroup);

    /**
     * Removes the cgroup: kills any remaining process (SIGKILL, thawing first if frozen), waits for it
     * to empty, retries EBUSY a bounded number of times, then fails with a clear error.
     * Deleting a cgroup that no longer exists succeeds.
     */
    void delete(CgroupHandle cgroup);

    /**
     * Starts delivering the cgroup's events (OOM kills, pids limit hits) to {@code listener} on a driver
     * thread, until the returned subscription is closed or the cgroup is deleted.
     */
    Subscription watch(CgroupHandle cgroup, ResourceEventListener listener);
}
