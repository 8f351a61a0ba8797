package jctr.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import jctr.kernel.NotFoundException;
import jctr.kernel.oci.NamespaceType;
import jctr.ns.plan.ExecTarget;
import jctr.ns.plan.HostView;
import jctr.ns.plan.HostView.CgroupHierarchy;
import jctr.ns.plan.SeccompProgram;

/** Reads from /proc what a process started in a running container must join. */
final class ExecTargets {

    private ExecTargets() {
    }

    /**
     * The namespaces of {@code pid} that differ from this process's (joining one's own user namespace
     * is an error in setns(2)), and the cgroup.procs files of its cgroups that differ from ours.
     */
    static ExecTarget of(int pid, HostView host, SeccompProgram seccomp) {
        Path proc = Path.of("/proc", Integer.toString(pid));
        try {
            List<ExecTarget.Join> joins = new ArrayList<>();
            for (NamespaceType type : NamespaceType.values()) {
                Path theirs = proc.resolve("ns").resolve(type.procName());
                Path ours = Path.of("/proc/self/ns").resolve(type.procName());
                if (Files.exists(theirs) && !Objects.equals(Files.readSymbolicLink(theirs), Files.readSymbolicLink(ours))) {
                    joins.add(new ExecTarget.Join(type, theirs.toString()));
                }
            }
            Map<String, String> theirCgroups = HostView.parseProcCgroup(Files.readString(proc.resolve("cgroup")));
            List<String> procsFiles = new ArrayList<>();
            for (CgroupHierarchy h : host.cgroupHierarchies()) {
                String theirPath = pathIn(theirCgroups, h.controllerSet());
                if (theirPath != null && !theirPath.equals(host.ownCgroup(h))) {
                    procsFiles.add(Path.of(h.mountPoint() + theirPath).resolve("cgroup.procs").toString());
                }
            }
            return new ExecTarget(joins, procsFiles, seccomp);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("container process " + pid + " is gone", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the namespaces and cgroups of process " + pid, e);
        }
    }

    private static String pathIn(Map<String, String> cgroups, Set<String> controllers) {
        for (Map.Entry<String, String> e : cgroups.entrySet()) {
            Set<String> have = e.getKey().isEmpty() ? Set.of() : new TreeSet<>(List.of(e.getKey().split(",")));
            if (have.equals(controllers)) {
                return e.getValue();
            }
        }
        return null;
    }
}
