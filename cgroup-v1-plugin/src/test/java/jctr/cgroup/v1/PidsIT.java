package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.PidsResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ResourceEvent;
import jctr.kernel.spi.Subscription;

/** pids.max makes fork fail inside the cgroup (reported through watch), and an update changes it live. */
class PidsIT extends WithTestCgroups {

    /** Forks ten sleepers at once; busybox sh gives up at the first fork the kernel refuses. */
    private static final String FORK_TEN = "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 3 & done; echo launched; wait";


    private static LinuxResources pids(long limit) {
        return new LinuxResources(null, null, null, new PidsResources(limit), null, null, null, null, null);
    }

    @Test
    void forkFailsAtTheLimitAndAnUpdateLiftsItLive() throws Exception {
        CgroupHandle h = cg.driver.create("pids", null, pids(5));
        assertEquals("5", CgroupFiles.read(cg.dir("pids", "pids").resolve("pids.max")));

        BlockingQueue<ResourceEvent> events = new LinkedBlockingQueue<>();
        Subscription watch = cg.driver.watch(h, events::add);
        Workload limited = cg.workload(FORK_TEN).joinAndRelease(h);
        assertTrue(limited.waitFor(Duration.ofSeconds(30)));
        ResourceEvent refused = events.poll(5, TimeUnit.SECONDS);
        watch.close();
        assertNotNull(refused, "no PIDS_LIMIT event");
        assertEquals(ResourceEvent.Type.PIDS_LIMIT, refused.type());
        assertTrue(refused.count() >= 1, refused.toString());
        assertNotEquals(0, limited.exitValue(), limited.output());
        assertTrue(limited.output().contains("can't fork"), limited.output());
        assertTrue(!limited.output().contains("launched"), limited.output());
        assertEquals(5, cg.driver.stats(h).pids().limit());
        assertTrue(CgroupFiles.readKeyValues(cg.dir("pids", "pids").resolve("pids.events")).get("max") >= 1);

        cg.driver.update(h, pids(20));
        assertEquals("20", CgroupFiles.read(cg.dir("pids", "pids").resolve("pids.max")));
        Workload lifted = cg.workload(FORK_TEN).joinAndRelease(h);
        lifted.awaitOutput(o -> o.contains("launched"), Duration.ofSeconds(30));
        assertTrue(cg.driver.stats(h).pids().current() >= 11, "the shell and its ten sleepers");
        assertTrue(lifted.waitFor(Duration.ofSeconds(30)));
        assertEquals(0, lifted.exitValue(), lifted.output());

        cg.driver.update(h, pids(0));
        assertEquals("max", CgroupFiles.read(cg.dir("pids", "pids").resolve("pids.max")));
        assertEquals(0, cg.driver.stats(h).pids().limit());
        cg.driver.delete(h);
    }
}
