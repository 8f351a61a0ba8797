package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import jctr.kernel.ResourceLimitException;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ResourceEvent;
import jctr.kernel.spi.ResourceStats;
import jctr.kernel.spi.Subscription;

/** memory.limit_in_bytes is enforced by the kernel: OOM kills, events through watch, usage in stats, live updates. */
class MemoryIT extends WithTestCgroups {

    private static final long MIB = 1L << 20;


    private static LinuxResources memory(long limit, Long swap) {
        return new LinuxResources(null, new MemoryResources(limit, null, swap, null, null, null, null, null, null),
                null, null, null, null, null, null, null);
    }

    @Test
    void allocatingPastTheLimitIsOomKilledAndTheEventArrives() throws Exception {
        CgroupHandle h = cg.driver.create("oom", null, memory(32 * MIB, 32 * MIB));
        assertEquals(Long.toString(32 * MIB), CgroupFiles.read(cg.dir("memory", "oom").resolve("memory.limit_in_bytes")));
        BlockingQueue<ResourceEvent> events = new LinkedBlockingQueue<>();
        try (Subscription s = cg.driver.watch(h, events::add)) {
            assertNotNull(s);
            Workload w = cg.workload("exec $BB dd if=/dev/zero of=/dev/null bs=64M count=1").joinAndRelease(h);

            assertTrue(w.waitFor(Duration.ofSeconds(60)), "the allocating process was not killed");
            assertEquals(128 + 9, w.exitValue(), "expected SIGKILL from the OOM killer; output: " + w.output());
            ResourceEvent oom = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(oom, "no OOM event");
            assertEquals(ResourceEvent.Type.OOM, oom.type());
            assertEquals(h.path(), oom.cgroupPath());
            ResourceEvent kill = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(kill, "no OOM_KILL event after " + oom);
            assertEquals(ResourceEvent.Type.OOM_KILL, kill.type());
            assertTrue(kill.count() >= 1, kill.toString());
        }
        ResourceStats.Memory m = cg.driver.stats(h).memory();
        assertEquals(32 * MIB, m.limit());
        assertEquals(32 * MIB, m.swapLimit());
        // (memory.failcnt stays 0 on Linux 6.18 even here, so it proves nothing: the peak does)
        assertTrue(m.maxUsage() > 30 * MIB && m.maxUsage() <= 32 * MIB, m.toString());
        cg.driver.delete(h);
    }

    @Test
    void usageGrowsWhileTheProcessHoldsMemory() throws Exception {
        CgroupHandle h = cg.driver.create("usage", null, memory(256 * MIB, null));
        Workload w = cg.workload("x=$(head -c 40000000 /dev/zero | tr '\\0' a); echo held ${#x}; read y").join(h);
        long before = cg.driver.stats(h).memory().usage();
        w.release().awaitOutput(o -> o.contains("held"), Duration.ofSeconds(60));

        ResourceStats s = cg.driver.stats(h);
        assertTrue(w.output().contains("held 40000000"), w.output());
        assertTrue(s.memory().usage() - before >= 38 * MIB, "usage " + before + " -> " + s.memory().usage());
        assertTrue(s.memory().maxUsage() >= s.memory().usage(), s.memory().toString());
        assertEquals(256 * MIB, s.memory().limit());
        assertEquals(Long.MAX_VALUE, s.memory().swapLimit());
        assertTrue(s.memory().raw().containsKey("total_rss"), s.memory().raw().toString());
        assertTrue(s.cpu().total() > 0, s.cpu().toString());
        assertTrue(s.pids().current() >= 1, s.pids().toString());

        // Below what the process holds, with no swap to push it to: the kernel cannot reclaim and says EBUSY.
        ResourceLimitException e = assertThrows(ResourceLimitException.class,
                () -> cg.driver.update(h, memory(16 * MIB, null)));
        assertTrue(e.getMessage().startsWith("linux.resources.memory.limit:") && e.getMessage().contains("EBUSY"),
                e.getMessage());
        assertTrue(w.isAlive(), "the holder must survive a refused update");
        cg.driver.delete(h);
    }

    @Test
    void withTheOomKillerDisabledTheProcessWaitsAndDeleteStillRemovesIt() throws Exception {
        LinuxResources r = new LinuxResources(null, new MemoryResources(16 * MIB, null, 16 * MIB, null, null, null, true,
                null, null), null, null, null, null, null, null, null);
        CgroupHandle h = cg.driver.create("nokill", null, r);
        BlockingQueue<ResourceEvent> events = new LinkedBlockingQueue<>();
        Subscription watch = cg.driver.watch(h, events::add);
        try {
            // Memory touched from user space: only a user-mode page fault waits under OOM (and notifies) with the
            // OOM killer disabled. dd's buffer is filled by read(2), in kernel mode, whose failed charge is a
            // short read instead: dd then exited 0 without any OOM about once in ten runs.
            Workload w = cg.workload("exec $BB awk 'BEGIN { s = \"x\"; for (;;) s = s s }'").joinAndRelease(h);
            ResourceEvent oom = events.poll(30, TimeUnit.SECONDS);
            assertNotNull(oom, "no OOM event");
            assertEquals(ResourceEvent.Type.OOM, oom.type());
            assertEquals(0, oom.count(), "nothing may be killed: " + oom);
            assertTrue(CgroupFiles.read(cg.dir("memory", "nokill").resolve("memory.oom_control")).contains("under_oom 1"));
            assertTrue(w.isAlive(), "the process must wait, not die");

            cg.driver.delete(h);

            assertTrue(w.waitFor(Duration.ofSeconds(10)), "delete did not kill the waiting process");
            assertEquals(128 + 9, w.exitValue());
            assertTrue(events.stream().noneMatch(ev -> ev.type() == ResourceEvent.Type.OOM_KILL), events.toString());
        } finally {
            watch.close();
        }
        assertEquals(0, cg.directoriesBelowParent());
    }

    @Test
    void updateLowersAndRaisesALiveLimit() throws Exception {
        CgroupHandle h = cg.driver.create("update", null, memory(128 * MIB, 128 * MIB));
        Workload fits = cg.workload("$BB dd if=/dev/zero of=/dev/null bs=48M count=1 && echo fits").joinAndRelease(h);
        assertTrue(fits.waitFor(Duration.ofSeconds(60)));
        assertEquals(0, fits.exitValue(), fits.output());

        // Lowering both: the kernel needs the memory limit lowered before memory+swap.
        cg.driver.update(h, memory(24 * MIB, 24 * MIB));
        assertEquals(Long.toString(24 * MIB), CgroupFiles.read(cg.dir("memory", "update").resolve("memory.limit_in_bytes")));
        assertEquals(Long.toString(24 * MIB), CgroupFiles.read(cg.dir("memory", "update").resolve("memory.memsw.limit_in_bytes")));
        Workload killed = cg.workload("exec $BB dd if=/dev/zero of=/dev/null bs=48M count=1").joinAndRelease(h);
        assertTrue(killed.waitFor(Duration.ofSeconds(60)));
        assertEquals(128 + 9, killed.exitValue(), killed.output());

        // Raising both: memory+swap has to go up first.
        cg.driver.update(h, memory(96 * MIB, 96 * MIB));
        assertEquals(Long.toString(96 * MIB), CgroupFiles.read(cg.dir("memory", "update").resolve("memory.memsw.limit_in_bytes")));
        Workload fitsAgain = cg.workload("$BB dd if=/dev/zero of=/dev/null bs=48M count=1 && echo fits").joinAndRelease(h);
        assertTrue(fitsAgain.waitFor(Duration.ofSeconds(60)));
        assertEquals(0, fitsAgain.exitValue(), fitsAgain.output());
        cg.driver.delete(h);
    }
}
