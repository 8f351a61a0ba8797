package jctr.cgroup.v2;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ResourceEvent;
import jctr.kernel.spi.ResourceStats;
import jctr.kernel.spi.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** memory.max is enforced: a process allocating past it is OOM-killed and watch delivers the OOM kill. */
class MemoryInGuest {

    private static final long LIMIT = 32L << 20;
    private GuestV2 v2;

    @BeforeEach
    void open() {
        v2 = GuestV2.open("memory");
    }

    @AfterEach
    void close() {
        v2.close();
    }

    @Test
    void allocatingPastTheLimitIsOomKilledAndReported() throws Exception {
        // swap = memory+swap = limit: no swap at all (memory.swap.max 0)
        CgroupHandle h = v2.create("mem", new LinuxResources(null,
                new MemoryResources(LIMIT, null, LIMIT, null, null, null, null, null, null),
                null, null, null, null, null, null, null));
        assertEquals(Long.toString(LIMIT), GuestV2.file(h, "memory.max"));
        assertEquals("0", GuestV2.file(h, "memory.swap.max"));

        try (Child small = Child.start("exec /bin/busybox dd if=/dev/zero of=/dev/null bs=8M count=2")) {
            assertEquals(0, small.moveInto(h).go().waitFor(Duration.ofSeconds(60)), small.output());
        }

        BlockingQueue<ResourceEvent> events = new LinkedBlockingQueue<>();
        Subscription watch = v2.driver.watch(h, events::add);
        try (Child big = Child.start("exec /bin/busybox dd if=/dev/zero of=/dev/null bs=96M count=1")) {
            assertEquals(137, big.moveInto(h).go().waitFor(Duration.ofSeconds(120)),
                    "SIGKILL expected, output: " + big.output());
        }
        ResourceEvent kill = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (kill == null && System.nanoTime() < deadline) {
            ResourceEvent e = events.poll(500, TimeUnit.MILLISECONDS);
            if (e != null && e.type() == ResourceEvent.Type.OOM_KILL) {
                kill = e;
            }
        }
        assertNotNull(kill, "no OOM_KILL event; got " + events);
        assertTrue(kill.count() >= 1);
        assertEquals(h.path(), kill.cgroupPath());

        watch.close();
        assertTrue(((EventWatcher) watch).stopped(), "the watch thread must end on close");
        ResourceStats stats = v2.driver.stats(h);
        assertEquals(LIMIT, stats.memory().limit());
        assertTrue(stats.memory().failcnt() > 0, "memory.events max counts the limit hits");
        assertTrue(stats.memory().maxUsage() >= LIMIT - (1 << 20), "memory.peak " + stats.memory().maxUsage());
    }
}
