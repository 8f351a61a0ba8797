package jctr.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import jctr.kernel.registry.DriverKind;
import jctr.kernel.testing.RootOnly;

/**
 * The benchmark's own daemon against the real engine: containers it starts run (in their own pid namespace, with a
 * monitor outside), and {@link JctrDaemon#close} leaves no process, mount, cgroup or directory behind, also when the
 * daemon died with its containers still running. Needs root and the built distribution (mgmt/target/dist).
 */
class JctrDaemonIT {

    @BeforeEach
    void assumeEngine() {
        RootOnly.assumeRoot();
        assumeTrue(Files.isDirectory(Peers.projectRoot().resolve("mgmt/target/dist/mods")),
                "the distribution is not built (mvn -pl mgmt -am package)");
    }

    private static String resourceDriver() {
        return Engine.available(DriverKind.RESOURCE, "cgroup-v1") ? "cgroup-v1" : "none";
    }

    @Test
    void closeRemovesRunningContainersThroughTheApi() throws Exception {
        JctrDaemon d = new JctrDaemon(resourceDriver());
        Path dir = d.dir;
        List<Long> inits = List.of();
        try {
            d.importBusybox();
            d.start();
            inits = startTwo(d);
            Set<Long> monitors = ProcFs.runningFrom(d.stateRoot, ProcFs.parents());
            assertEquals(2, monitors.size(), "one monitor per container");
            String hostNs = ProcFs.pidNamespace(ProcessHandle.current().pid()).orElseThrow();
            for (long pid : inits) {
                assertFalse(hostNs.equals(ProcFs.pidNamespace(pid).orElseThrow()), "the container has its own pid namespace");
            }
            assertEquals(2, d.containers().size());
        } finally {
            d.close();
        }
        assertLeftNothing(dir, d, inits);
    }

    @Test
    void closeSweepsWhatADeadDaemonLeft() throws Exception {
        JctrDaemon d = new JctrDaemon(resourceDriver());
        Path dir = d.dir;
        List<Long> inits = List.of();
        try {
            d.importBusybox();
            d.start();
            inits = startTwo(d);
            // The daemon dies; its containers and their monitors go on running, as they are meant to.
            ProcessHandle.of(d.pid()).orElseThrow().destroyForcibly();
            ProcessHandle.of(d.pid()).ifPresent(p -> p.onExit().join());
            assertEquals(2, ProcFs.runningFrom(d.stateRoot, ProcFs.parents()).size());
        } finally {
            d.close();
        }
        assertLeftNothing(dir, d, inits);
    }

    /** Two containers running {@code sleep}; their init pids. */
    private static List<Long> startTwo(JctrDaemon d) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String id = d.create("it-" + i, List.of("sleep", "600"));
            d.startContainer(id);
            pids.add(d.get("/containers/" + id + "/json").get("State").get("Pid").asLong());
        }
        assertEquals(2, d.get("/containers/json").size());
        return pids;
    }

    private static void assertLeftNothing(Path dir, JctrDaemon d, List<Long> inits) throws IOException {
        assertFalse(ProcessHandle.of(d.pid()).map(ProcessHandle::isAlive).orElse(false), "the daemon has exited");
        for (long pid : inits) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "container init " + pid + " is gone");
        }
        assertTrue(ProcFs.runningFrom(dir, ProcFs.parents()).isEmpty(), "no monitor process is left");
        assertTrue(JctrDaemon.mountsUnder(dir).isEmpty(), "no mount is left under " + dir);
        assertFalse(Files.exists(dir), dir + " is removed");
        assertEquals(List.of(), benchCgroupChildren(), "no container cgroup is left");
    }

    private static List<Path> benchCgroupChildren() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> roots = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path root : roots.toList()) {
                Path parent = root.resolve(BenchCgroups.parent().substring(1));
                if (Files.isDirectory(parent)) {
                    try (Stream<Path> s = Files.list(parent)) {
                        s.filter(Files::isDirectory).forEach(out::add);
                    }
                }
            }
        }
        return out;
    }
}
