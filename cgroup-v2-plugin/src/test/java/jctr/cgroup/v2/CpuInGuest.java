package jctr.cgroup.v2;

import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ResourceStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cpu.max 20000/100000 holds a busy loop at about 20% of a CPU and throttles it. */
class CpuInGuest {

    private GuestV2 v2;

    @BeforeEach
    void open() {
        v2 = GuestV2.open("cpu");
    }

    @AfterEach
    void close() {
        v2.close();
    }

    @Test
    void aQuotaOfOneFifthThrottlesABusyLoop() throws Exception {
        CgroupHandle h = v2.create("cpu", new LinuxResources(null, null,
                new CpuResources(null, 20000L, null, 100000L, null, null, null, null, null),
                null, null, null, null, null, null));
        assertEquals("20000 100000", GuestV2.file(h, "cpu.max"));
        try (Child c = Child.start("while :; do :; done")) {
            c.moveInto(h).go();
            Thread.sleep(300);
            ResourceStats before = v2.driver.stats(h);
            long t0 = System.nanoTime();
            Thread.sleep(2000);
            ResourceStats after = v2.driver.stats(h);
            long wall = System.nanoTime() - t0;
            double share = (double) (after.cpu().total() - before.cpu().total()) / wall;
            long throttled = after.cpu().throttledPeriods() - before.cpu().throttledPeriods();
            System.out.printf("cpu share %.3f, %d throttled periods of %d%n", share, throttled,
                    after.cpu().periods() - before.cpu().periods());
            assertTrue(throttled > 0, "no throttled periods");
            assertTrue(share > 0.10 && share < 0.35, "busy loop got " + share + " of a CPU, expected about 0.2");
        }
    }
}
