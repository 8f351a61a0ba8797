package jctr.kernel.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a container's cgroup is, as returned by {@link ResourceDriver#create} and persisted by the kernel.
 *
 * <p>How the isolation driver places the container's init process here, before any user code runs:
 * if {@link #cloneIntoDir} is set, it clones the process directly into that cgroup directory with
 * {@code clone3(CLONE_INTO_CGROUP)}; otherwise it writes the child's host pid into each file of
 * {@link #procsFiles} while the child waits, or has the still single-threaded child move itself (the
 * namespaces driver does so for v1: "0" into the {@code tasks} file beside each {@code cgroup.procs}).
 * Either way the child creates its cgroup namespace (if any) only after being placed.
 *
 * @param driver name of the resource driver that made it
 * @param path the cgroup path relative to the hierarchy root, e.g. {@code /jctr/abc}
 * @param cloneIntoDir absolute cgroup v2 directory for CLONE_INTO_CGROUP, or null
 * @param procsFiles absolute {@code cgroup.procs} files to write the pid into (one per v1 hierarchy,
 *                   or the single v2 one as a fallback)
 * @param driverState anything else the driver needs to find the cgroup again
 */
public record CgroupHandle(String driver, String path, String cloneIntoDir, List<String> procsFiles,
                           Map<String, String> driverState) {

    public CgroupHandle {
        procsFiles = procsFiles == null ? List.of() : List.copyOf(procsFiles);
        driverState = driverState == null ? Map.of() : Map.copyOf(driverState);
    }

    /** The v2 directory to clone into, if this cgroup supports CLONE_INTO_CGROUP. */
    public Optional<Path> cloneInto() {
        return Optional.ofNullable(cloneIntoDir).map(Path::of);
    }
}
