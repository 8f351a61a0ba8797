package jctr.ns.plan;

import java.util.List;
import java.util.Objects;

import jctr.kernel.oci.NamespaceType;

/**
 * What a process started in a running container joins: the namespaces of the container's init that
 * differ from the caller's (as /proc/PID/ns paths) and the cgroups it must be placed in.
 *
 * @param namespaces namespace files to setns() into; a user namespace, if any, is joined first
 * @param procsFiles {@code cgroup.procs} files of the init's cgroups that differ from the caller's
 * @param seccomp the container's seccomp filter, or null
 */
public record ExecTarget(List<Join> namespaces, List<String> procsFiles, SeccompProgram seccomp) {

    public ExecTarget {
        namespaces = List.copyOf(namespaces);
        procsFiles = List.copyOf(procsFiles);
    }

    /** A namespace to join: its type and the file naming it. */
    public record Join(NamespaceType type, String path) {
        public Join {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(path, "path");
        }
    }
}
