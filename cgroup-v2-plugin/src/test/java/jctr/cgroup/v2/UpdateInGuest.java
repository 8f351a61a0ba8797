package jctr.cgroup.v2;

import java.time.Duration;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.oci.PidsResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ResourceStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** update changes the limits of a live cgroup, only those given, and the kernel enforces the new ones. */
class UpdateInGuest {

    private GuestV2 v2;

    @BeforeEach
    void open() {
        v2 = GuestV2.open("update");
    }

    @AfterEach
    void close() {
        v2.close();
    }

    @Test
    void updateChangesLiveLimits() {
        CgroupHandle h = v2.create("upd", new LinuxResources(null,
                new MemoryResources(64L << 20, null, null, null, null, null, null, null, null),
                new CpuResources(2048L, 50000L, null, 100000L, null, null, null, null, null),
                new PidsResources(20), null, null, null, null, null));
        try (Child c = Child.start("while :; do /bin/busybox sleep 1; done")) {
            c.moveInto(h).go();
            v2.driver.update(h, new LinuxResources(null,
                    new MemoryResources(48L << 20, null, null, null, null, null, null, null, null),
                    new CpuResources(null, 30000L, null, null, null, null, null, null, null),
                    new PidsResources(3), null, null, null, null, null));
            assertEquals(Long.toString(48L << 20), GuestV2.file(h, "memory.max"));
            assertEquals("30000 100000", GuestV2.file(h, "cpu.max"), "the period stays");
            assertEquals(Long.toString(CpuController.sharesToWeight(2048)), GuestV2.file(h, "cpu.weight"),
                    "what the update does not name stays");
            assertEquals("3", GuestV2.file(h, "pids.max"));
            ResourceStats s = v2.driver.stats(h);
            assertEquals(48L << 20, s.memory().limit());
            assertEquals(3, s.pids().limit());

            // A bad value changes nothing.
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> v2.driver.update(h,
                    new LinuxResources(null, null, new CpuResources(null, null, null, 5L, null, null, null, null, null),
                            null, null, null, null, null, null)));
            assertEquals("linux.resources.cpu.period", e.field());
            assertEquals("30000 100000", GuestV2.file(h, "cpu.max"));
        }
        // The new pids limit is enforced: the shell and two sleeps fill it.
        try (Child c = Child.start("/bin/busybox sleep 30 & /bin/busybox sleep 30 & /bin/busybox sleep 30 & "
                + "echo forked-all")) {
            c.moveInto(h).go().waitFor(Duration.ofSeconds(20));
            assertTrue(c.output().contains("can't fork"), c.output());
        }
    }
}
