package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;

/** freeze stops a counter, thaw lets it continue; delete copes with a frozen cgroup. */
class FreezerIT extends WithTestCgroups {

    private Path counter;

    @BeforeEach
    void makeCounter() throws Exception {
        counter = Files.createTempFile("jctr-cgv1-counter-", ".txt");
    }

    @AfterEach
    void removeCounter() throws Exception {
        Files.deleteIfExists(counter);
    }

    private long size() throws Exception {
        return Files.size(counter);
    }

    private void awaitGrowth(long from) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (size() <= from) {
            assertTrue(System.nanoTime() < deadline, "the counter did not move from " + from);
            Thread.sleep(20);
        }
    }

    @Test
    void freezeStopsACounterAndThawResumesIt() throws Exception {
        CgroupHandle h = cg.driver.create("frz", null, LinuxResources.EMPTY);
        Workload w = cg.workload("while :; do echo x >> " + counter + "; sleep 0.02; done").joinAndRelease(h);
        awaitGrowth(0);

        cg.driver.freeze(h);
        assertEquals("FROZEN", CgroupFiles.read(cg.dir("freezer", "frz").resolve("freezer.state")));
        long frozenAt = size();
        Thread.sleep(500);
        assertEquals(frozenAt, size(), "the counter moved while frozen");
        assertTrue(cg.driver.pids(h).contains((int) w.pid()), cg.driver.pids(h).toString());

        cg.driver.thaw(h);
        assertEquals("THAWED", CgroupFiles.read(cg.dir("freezer", "frz").resolve("freezer.state")));
        awaitGrowth(frozenAt);
        cg.driver.delete(h);
    }

    @Test
    void deletingAFrozenCgroupKillsItsProcessesAndRemovesIt() throws Exception {
        CgroupHandle h = cg.driver.create("frzdel", null, LinuxResources.EMPTY);
        Workload w = cg.workload("sleep 60 & sleep 60 & while :; do echo x >> " + counter + "; sleep 0.02; done")
                .joinAndRelease(h);
        awaitGrowth(0);
        cg.driver.freeze(h);

        cg.driver.delete(h);

        assertTrue(w.waitFor(Duration.ofSeconds(10)), "the shell survived delete");
        assertEquals(128 + 9, w.exitValue());
        for (Path mount : cg.mounts()) {
            assertTrue(!Files.exists(mount.resolve(cg.parent).resolve("frzdel")), mount + " still has the cgroup");
        }
        cg.driver.delete(h); // again: already gone is fine
    }
}
