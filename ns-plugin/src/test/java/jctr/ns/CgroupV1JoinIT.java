package jctr.ns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.NotFoundException;
import jctr.kernel.oci.IdMapping;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Spec;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ExecRequest;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.Stdio;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.testing.RootOnly;
import jctr.ns.plan.HostView;
import jctr.ns.plan.HostView.CgroupHierarchy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A container whose cgroup spans every v1 hierarchy joins it itself (tasks files the launcher opened):
 * seen from the host, its init and what the init forks are in the container's cgroup in each hierarchy,
 * with and without a user namespace, as is a process exec'd into it; and a cgroup removed before create is
 * a clear NotFoundException.
 */
class CgroupV1JoinIT {

    private static final String SCRIPT = "sleep 60 & cat /proc/self/cgroup; echo tasks=$(cat /sys/fs/cgroup/pids/tasks);"
            + " touch /tmp/ready; wait";

    @TempDir
    Path dir;
    ContainerHarness h;
    List<CgroupHierarchy> hierarchies;
    String rel;
    final List<Path> cgroups = new ArrayList<>();
    CgroupHandle handle;

    @BeforeEach
    void setUp() throws IOException {
        RootOnly.assumeRoot();
        hierarchies = HostView.current().cgroupHierarchies().stream().filter(x -> x.fsType().equals("cgroup")).toList();
        Assumptions.assumeTrue(hierarchies.size() > 1, "needs cgroup v1 hierarchies");
        String name = "ns-join-" + UUID.randomUUID().toString().substring(0, 8);
        rel = "/jctr-test/" + name;
        List<String> procs = new ArrayList<>();
        for (CgroupHierarchy x : hierarchies) {
            Path mount = Path.of(x.mountPoint());
            Path cg = mount.resolve("jctr-test").resolve(name);
            Files.createDirectories(cg);
            cgroups.add(cg);
            if (Files.exists(cg.resolve("cpuset.cpus"))) {
                // A new cpuset has no CPUs or memory nodes: nothing could join it.
                inheritCpuset(mount, cg.getParent());
                inheritCpuset(mount, cg);
            }
            procs.add(cg.resolve("cgroup.procs").toString());
        }
        handle = new CgroupHandle("test", rel, null, procs, null);
        h = new ContainerHarness(dir);
    }

    private static void inheritCpuset(Path root, Path cg) throws IOException {
        for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
            if (Files.readString(cg.resolve(f)).isBlank()) {
                Files.writeString(cg.resolve(f), Files.readString(root.resolve(f)).strip());
            }
        }
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
        cgroups.reversed().forEach(Cgroups::remove);
    }

    @Test
    void theInitAndWhatItForksAreInTheContainersCgroupInEveryV1Hierarchy() throws Exception {
        checkPlacement(h.spec("/bin/sh", "-c", SCRIPT));
    }

    @Test
    void aContainerInANewUserNamespaceJoinsItsCgroupsToo() throws Exception {
        Spec base = h.spec("/bin/sh", "-c", SCRIPT);
        LinuxSpec linux = base.linux();
        checkPlacement(base.withLinux(new LinuxSpec(TestSpecs.namespaces("pid", "network", "ipc", "uts", "mount", "user",
                "cgroup"), List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 100000, 65536)), null,
                null, null, null, null, linux.maskedPaths(), linux.readonlyPaths(), null, null, null)));
    }

    private void checkPlacement(Spec spec) throws Exception {
        var b = h.background(spec, handle);
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), b);
        int init = b.process().pid();
        String children = Files.readString(Path.of("/proc/" + init + "/task/" + init + "/children")).strip();
        assertFalse(children.isEmpty(), "the init forked sleep");
        int child = Integer.parseInt(children.split("\\s+")[0]);
        for (int pid : List.of(init, child)) {
            Map<String, String> seen = HostView.parseProcCgroup(Files.readString(Path.of("/proc/" + pid + "/cgroup")));
            for (CgroupHierarchy x : hierarchies) {
                assertEquals(rel, pathIn(seen, x), "pid " + pid + " in " + x.mountPoint() + ": " + seen);
            }
        }
        for (Path cg : cgroups) {
            List<String> tasks = Files.readAllLines(cg.resolve("tasks"));
            assertTrue(tasks.contains(Integer.toString(init)) && tasks.contains(Integer.toString(child)), cg + ": " + tasks);
        }
        // Inside, the cgroup namespace starts at the container's cgroup, as does the cgroup mount.
        Map<String, String> inside = HostView.parseProcCgroup(b.output());
        for (CgroupHierarchy x : hierarchies) {
            assertEquals("/", pathIn(inside, x), b.output());
        }
        assertTrue(b.output().lines().anyMatch(l -> l.startsWith("tasks=1 ") || l.equals("tasks=1")), b.output());

        // A process exec'd into the container joins the same cgroups (outside them it would read "/../..").
        Path out = dir.resolve("exec-out");
        IsolatedProcess exec = h.driver.exec(b.process(), new ExecRequest(TestSpecs.process("/bin/cat", "/proc/self/cgroup"),
                new Stdio.Files(null, out, out)));
        h.track(exec);
        assertEquals(ExitStatus.exited(0), h.waitFor(exec));
        Map<String, String> execSees = HostView.parseProcCgroup(Files.readString(out));
        for (CgroupHierarchy x : hierarchies) {
            assertEquals("/", pathIn(execSees, x), execSees.toString());
        }
        h.kill(b.process());
    }

    @Test
    void aRemovedCgroupIsNotFoundAndNamed() {
        Path gone = cgroups.getLast();
        Cgroups.remove(gone);
        var e = assertThrows(NotFoundException.class, () -> h.create(h.request(h.spec("/bin/true"), Stdio.inherit(), handle)));
        assertTrue(e.getMessage().contains("cgroup of the container is gone") && e.getMessage().contains(gone + "/tasks"),
                e.getMessage());
        for (Path cg : cgroups.subList(0, cgroups.size() - 1)) {
            assertTrue(readLines(cg.resolve("tasks")).isEmpty(), cg + " holds nothing");
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The path of hierarchy {@code x} in a parsed /proc/PID/cgroup. */
    private static String pathIn(Map<String, String> procCgroup, CgroupHierarchy x) {
        for (Map.Entry<String, String> e : procCgroup.entrySet()) {
            Set<String> have = e.getKey().isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(e.getKey().split(",")));
            if (have.equals(x.controllerSet())) {
                return e.getValue();
            }
        }
        throw new AssertionError("no line for " + x.controllers() + " in " + procCgroup);
    }
}
