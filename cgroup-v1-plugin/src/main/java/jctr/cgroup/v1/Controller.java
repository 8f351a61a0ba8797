package jctr.cgroup.v1;

import java.nio.file.Path;
import java.util.Optional;

import jctr.kernel.oci.LinuxResources;

/**
 * One cgroup v1 controller: which {@code linux.resources} fields it owns, how it checks and writes them in
 * its hierarchy's directory of a cgroup, and what it contributes to stats. Implementations are stateless;
 * the directory is always passed in, so tests can point them at a fake hierarchy. The defaults do nothing,
 * for controllers without settings (cpuacct, freezer) or without usage figures.
 *
 * <p>The driver calls, for a create or update: {@link #validate} for every controller (pure, before any
 * write), then {@link #precheck} for every controller with a directory, then {@link #apply}.
 */
interface Controller {

    /** The kernel's name of the controller, as in {@code /proc/cgroups} and the v1 mount options. */
    String name();

    /**
     * The first field of {@code resources} this controller would write (a {@code linux.resources.*} path),
     * or empty when it has nothing to do; used to name the field when the controller is not mounted.
     */
    default Optional<String> requestedField(LinuxResources resources) {
        return Optional.empty();
    }

    /**
     * Rejects invalid values of this controller's fields without touching the host.
     *
     * @throws jctr.kernel.InvalidConfigException naming the field
     */
    default void validate(LinuxResources resources) {
    }

    /**
     * Rejects fields this cgroup's kernel cannot apply (a control file it lacks) and requests the live cgroup
     * cannot take, before anything is written to any controller.
     *
     * @throws jctr.kernel.UnsupportedFeatureException naming the field the host lacks
     * @throws jctr.kernel.ResourceLimitException naming the field the cgroup's current usage rules out
     */
    default void precheck(Path dir, LinuxResources resources) {
    }

    /** Writes the non-null fields of {@code resources}, leaving the others as they are. */
    default void apply(Path dir, LinuxResources resources) {
    }

    /** Adds this controller's usage figures to {@code stats}, if it keeps any. */
    default void stats(Path dir, StatsBuilder stats) {
    }

    /** Prepares a directory jctr just created, before anything else is written to it. */
    default void initialize(Path dir) {
    }
}
