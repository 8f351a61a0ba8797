package jctr.kernel.state;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;

import jctr.kernel.lifecycle.ContainerStatus;
import jctr.kernel.oci.State;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.Rootfs;

/**
 * What the kernel persists about one container: enough to answer {@code state}, to signal, start,
 * pause and delete it from another process, and to rebuild a true picture after a crash.
 *
 * @param id container id
 * @param status lifecycle state
 * @param bundle absolute bundle directory as given
 * @param init the container's init process (pid, start time, isolation driver state); null before it exists
 * @param cgroup the resource driver's handle; null when no cgroup was made
 * @param rootfs the storage driver's rootfs when the kernel prepared it (engine containers); null for OCI bundles
 * @param drivers names of the drivers that made this container (they must also tear it down)
 * @param created when creation began
 * @param exitCode the shell-style exit code when known after stop, else null
 * @param annotations the config's annotations
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerRecord(String id, ContainerStatus status, String bundle, IsolatedProcess init,
                              CgroupHandle cgroup, Rootfs rootfs, DriverNames drivers, Instant created,
                              Integer exitCode, Map<String, String> annotations) {

    public ContainerRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /**
     * The drivers a container was made with.
     *
     * @param storage null when the rootfs came with an OCI bundle
     */
    public record DriverNames(String isolation, String resource, String storage) {
    }

    /** The host pid of init, or 0. */
    public int pid() {
        return init == null ? 0 : init.pid();
    }

    public ContainerRecord withStatus(ContainerStatus s) {
        return new ContainerRecord(id, s, bundle, init, cgroup, rootfs, drivers, created, exitCode, annotations);
    }

    public ContainerRecord withInit(IsolatedProcess p) {
        return new ContainerRecord(id, status, bundle, p, cgroup, rootfs, drivers, created, exitCode, annotations);
    }

    public ContainerRecord withCgroup(CgroupHandle c) {
        return new ContainerRecord(id, status, bundle, init, c, rootfs, drivers, created, exitCode, annotations);
    }

    public ContainerRecord withRootfs(Rootfs r) {
        return new ContainerRecord(id, status, bundle, init, cgroup, r, drivers, created, exitCode, annotations);
    }

    public ContainerRecord withExitCode(Integer code) {
        return new ContainerRecord(id, status, bundle, init, cgroup, rootfs, drivers, created, code, annotations);
    }

    /** The OCI state JSON view; the pid is reported only while the process can exist. */
    public State toOciState(String ociVersion) {
        int reportedPid = status == ContainerStatus.STOPPED ? 0 : pid();
        return new State(ociVersion, id, status.ociName(), reportedPid, bundle, annotations);
    }
}
