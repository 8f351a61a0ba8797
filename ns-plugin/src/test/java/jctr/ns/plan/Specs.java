package jctr.ns.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jctr.kernel.oci.Capabilities;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Mount;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Root;
import jctr.kernel.oci.Spec;
import jctr.kernel.oci.User;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.IsolationRequest;
import jctr.kernel.spi.Stdio;

/** Small configs for plan tests. */
final class Specs {

    static final Path BUNDLE = Path.of("/bundles/b1");
    static final Path STATE = Path.of("/run/jctr/c1");
    static final String ROOTFS = "/bundles/b1/rootfs";

    private Specs() {
    }

    static List<Namespace> ns(String... types) {
        List<Namespace> out = new ArrayList<>();
        for (String t : types) {
            out.add(new Namespace(t, null));
        }
        return out;
    }

    static ProcessSpec process(String... args) {
        return new ProcessSpec(null, null, new User(0, 0, null, null, null), List.of(args), List.of("PATH=/bin"), "/",
                null, null, null, null, null, null);
    }

    static LinuxSpec linux(List<Namespace> namespaces) {
        return new LinuxSpec(namespaces, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** mount namespace only, no mounts, /bin/true. */
    static Spec minimal() {
        return new Spec("1.0.2", process("/bin/true"), new Root(ROOTFS, null), null, null, List.of(), null, Map.of(),
                linux(ns("mount")));
    }

    static Spec withMounts(Mount... mounts) {
        return minimal().withMounts(List.of(mounts));
    }

    static IsolationRequest request(Spec spec) {
        return request(spec, Stdio.inherit(), null);
    }

    static IsolationRequest request(Spec spec, Stdio stdio, CgroupHandle cgroup) {
        return new IsolationRequest("c1", spec, BUNDLE, STATE, cgroup, stdio, null);
    }

    static Capabilities caps(List<String> all) {
        return Capabilities.allSets(all);
    }
}
