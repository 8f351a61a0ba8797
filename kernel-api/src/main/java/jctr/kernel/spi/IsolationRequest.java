package jctr.kernel.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import jctr.kernel.oci.Spec;

/**
 * Everything an isolation driver needs to create a container.
 *
 * @param containerId the container's id
 * @param spec the validated OCI spec; {@code root.path} is already absolute
 * @param bundle the bundle directory (absolute)
 * @param stateDir a private directory for this container's runtime files (exec fifo, sockets), removed on delete
 * @param cgroup where to place the init process, or null to leave it in the caller's cgroup
 * @param stdio how the process's standard streams are connected
 * @param options runc-style switches
 */
public record IsolationRequest(String containerId, Spec spec, Path bundle, Path stateDir, CgroupHandle cgroup,
                               Stdio stdio, Options options) {

    public IsolationRequest {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(stdio, "stdio");
        options = options == null ? Options.DEFAULT : options;
    }

    /**
     * @param noPivot use MS_MOVE + chroot instead of pivot_root (needed when the rootfs is on a ramfs)
     * @param noNewKeyring do not create a new session keyring for the container
     * @param launchWrapper see {@link LaunchWrapper}; empty for none
     */
    public record Options(boolean noPivot, boolean noNewKeyring, List<String> launchWrapper) {
        public static final Options DEFAULT = new Options(false, false);

        public Options {
            launchWrapper = LaunchWrapper.check(launchWrapper);
        }

        /** Options without a launch wrapper. */
        public Options(boolean noPivot, boolean noNewKeyring) {
            this(noPivot, noNewKeyring, List.of());
        }
    }
}
