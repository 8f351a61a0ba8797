package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import jctr.kernel.AlreadyExistsException;
import jctr.kernel.NotFoundException;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.PidsResources;
import jctr.kernel.spi.CgroupHandle;

/** Creating, finding the processes of, and deleting real cgroups; and leaving nothing behind. */
class LifecycleIT extends WithTestCgroups {

    @Test
    void createMakesTheCgroupInEveryHierarchyWithAUsableCpuset() throws Exception {
        CgroupHandle h = cg.driver.create("life", null, LinuxResources.EMPTY);
        assertEquals("/" + cg.parent + "/life", h.path());
        assertNull(h.cloneIntoDir());
        assertEquals(cg.mounts().size(), h.procsFiles().size());
        for (Path mount : cg.mounts()) {
            assertTrue(h.procsFiles().contains(mount.resolve(cg.parent).resolve("life/cgroup.procs").toString()), mount.toString());
        }
        String parentCpus = CgroupFiles.read(cg.host.v1Controllers().get("cpuset").resolve("cpuset.cpus"));
        assertEquals(parentCpus, CgroupFiles.read(cg.dir("cpuset", "life").resolve("cpuset.cpus")));
        assertFalse(CgroupFiles.read(cg.dir("cpuset", "life").resolve("cpuset.mems")).isEmpty());
    }

    @Test
    void pidsListsTheTreeAndDeleteKillsItAll() throws Exception {
        CgroupHandle h = cg.driver.create("kill", null, LinuxResources.EMPTY);
        Workload w = cg.workload("sleep 60 & sleep 60 & echo started; wait").joinAndRelease(h);
        w.awaitOutput(o -> o.contains("started"), Duration.ofSeconds(30));
        // a sub-cgroup, as a container's own cgroup namespace might make
        Path sub = cg.dir("pids", "kill").resolve("inner");
        Files.createDirectory(sub);
        Workload inner = cg.workload("sleep 60");
        CgroupFiles.write(sub.resolve("cgroup.procs"), Long.toString(inner.pid()), null);
        inner.release();

        List<Integer> pids = cg.driver.pids(h);
        assertTrue(pids.size() >= 4 && pids.contains((int) w.pid()) && pids.contains((int) inner.pid()), pids.toString());
        assertThrows(AlreadyExistsException.class, () -> cg.driver.create("kill", null, LinuxResources.EMPTY));

        cg.driver.delete(h);

        assertTrue(w.waitFor(Duration.ofSeconds(10)) && inner.waitFor(Duration.ofSeconds(10)));
        assertEquals(0, cg.directoriesBelowParent());
        assertThrows(NotFoundException.class, () -> cg.driver.stats(h));
        cg.driver.delete(h);
    }

    @Test
    void deleteKillsProcessesThatJoinedOnlySomeHierarchies() throws Exception {
        CgroupHandle h = cg.driver.create("partial", null, LinuxResources.EMPTY);
        // delete tries rmdir per hierarchy first: the ones without processes go at once, the others must still
        // have their processes killed (the freezer's is tried last; here it holds one of them)
        Workload inPids = cg.workload("sleep 60");
        CgroupFiles.write(cg.dir("pids", "partial").resolve("cgroup.procs"), Long.toString(inPids.pid()), null);
        inPids.release();
        Workload inFreezer = cg.workload("sleep 60");
        CgroupFiles.write(cg.dir("freezer", "partial").resolve("cgroup.procs"), Long.toString(inFreezer.pid()), null);
        inFreezer.release();

        cg.driver.delete(h);

        assertTrue(inPids.waitFor(Duration.ofSeconds(10)) && inFreezer.waitFor(Duration.ofSeconds(10)));
        assertEquals(0, cg.directoriesBelowParent());
    }

    @Test
    void twoHundredCreateDeleteCyclesLeaveNoDirectoryBehind() {
        LinuxResources r = new LinuxResources(null, null, null, new PidsResources(100), null, null, null, null, null);
        int before = cg.directoriesBelowParent();
        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            CgroupHandle h = cg.driver.create("leak" + (i % 7), null, r);
            cg.driver.delete(h);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("200 create/delete cycles in %d hierarchies: %d ms (%.1f ms per cycle)%n",
                cg.mounts().size(), millis, millis / 200.0);
        assertEquals(before, cg.directoriesBelowParent());
    }
}
