package jctr.cgroup.v2;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.PidsResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ResourceEvent;
import jctr.kernel.spi.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pids.max is enforced: fork fails at the limit, watch reports it, delete kills what is left. */
class PidsInGuest {

    private GuestV2 v2;

    @BeforeEach
    void open() {
        v2 = GuestV2.open("pids");
    }

    @AfterEach
    void close() {
        v2.close();
    }

    @Test
    void forkFailsAtTheLimit() throws Exception {
        CgroupHandle h = v2.create("pids", new LinuxResources(null, null, null, new PidsResources(5), null, null,
                null, null, null));
        assertEquals("5", GuestV2.file(h, "pids.max"));
        BlockingQueue<ResourceEvent> events = new LinkedBlockingQueue<>();
        try (Subscription watch = v2.driver.watch(h, events::add);
             Child c = Child.start("for i in 1 2 3 4 5 6 7 8; do /bin/busybox sleep 60 & echo started $i; done; "
                     + "echo loop-done")) {
            c.moveInto(h).go();
            ResourceEvent hit = events.poll(20, TimeUnit.SECONDS);
            assertTrue(hit != null && hit.type() == ResourceEvent.Type.PIDS_LIMIT, "event: " + hit);
            c.waitFor(Duration.ofSeconds(20));
            String out = c.output();
            assertTrue(out.contains("can't fork"), out);
            assertTrue(out.contains("started 4"), out);
            List<Integer> pids = v2.driver.pids(h);
            assertEquals(4, pids.size(), "the four sleeps remain: " + pids);
            assertEquals(5, v2.driver.stats(h).pids().limit());
            assertTrue(watch instanceof EventWatcher);
        }
        v2.driver.delete(h);
        assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of(h.cloneIntoDir())), "delete kills and removes");
    }
}
