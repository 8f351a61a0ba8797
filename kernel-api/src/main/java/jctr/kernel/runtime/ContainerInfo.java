package jctr.kernel.runtime;

import java.time.Instant;

import jctr.kernel.oci.State;

/**
 * What {@code list} and {@code state} show about a container beyond its OCI state.
 *
 * @param state the OCI state (status recomputed from the init process)
 * @param created when creation began
 * @param rootfs the absolute root file system path
 * @param owner the user owning the container's state directory
 */
public record ContainerInfo(State state, Instant created, String rootfs, String owner) {
}
