package jctr.ns.plan;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import jctr.kernel.oci.Mount;
import jctr.kernel.oci.Spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every mount of a config yields exactly one mount operation, in config order, whatever the mounts are. */
class MountPlanPropertyTest {

    @Property(tries = 300)
    void everyConfigMountYieldsExactlyOneMountOperationInOrder(@ForAll("mounts") List<Mount> mounts) {
        Spec spec = Specs.minimal().withMounts(mounts);
        LaunchPlan plan = PlanBuilder.forCreate(Specs.request(spec), Hosts.hybrid(), null);
        List<String> fields = plan.opsOf(Op.Mount.class).stream().map(Op::field).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < mounts.size(); i++) {
            expected.add("mounts[" + i + "]");
        }
        assertEquals(expected, fields);
        for (int i = 0; i < mounts.size(); i++) {
            assertEquals(mounts.get(i).destination(), plan.opsOf(Op.Mount.class).get(i).destination());
        }
        // and every encoded plan frames correctly
        PlanEncoderTest.assertWellFramed(PlanEncoder.encode(plan), plan.ops().size());
    }

    @Provide
    Arbitrary<List<Mount>> mounts() {
        Arbitrary<String> dest = Arbitraries.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/sys", "/sys/fs/cgroup", "/tmp",
                "/data", "/etc/hosts", "/a/b/c", "/dev/mqueue", "/run");
        Arbitrary<String> type = Arbitraries.of("proc", "tmpfs", "bind", "devpts", "sysfs", "cgroup", "mqueue", "overlay");
        Arbitrary<String> source = Arbitraries.of("/srv/data", "tmpfs", "proc", "relative/dir", "none", "cgroup");
        Arbitrary<List<String>> options = Arbitraries.of("ro", "rw", "nosuid", "nodev", "noexec", "relatime",
                "strictatime", "rbind", "bind", "rprivate", "slave", "mode=755", "size=65536k", "newinstance",
                "ptmxmode=0666", "gid=5", "defaults", "noatime").list().ofMaxSize(6);
        return Combinators.combine(dest, type, source, options).as(Mount::new).list().ofMaxSize(12);
    }
}
