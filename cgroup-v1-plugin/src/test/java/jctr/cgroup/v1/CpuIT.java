package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ResourceStats;

/** CFS quota throttles a busy loop to its share; cpuset pins it to a CPU. */
class CpuIT extends WithTestCgroups {

    private static LinuxResources cpu(CpuResources c) {
        return new LinuxResources(null, null, c, null, null, null, null, null, null);
    }

    @Test
    void aQuotaOfAFifthIsThrottledToAboutAFifth() throws Exception {
        CgroupHandle h = cg.driver.create("quota", null, cpu(new CpuResources(null, 20000L, null, 100000L, null, null,
                null, null, null)));
        assertEquals("20000", CgroupFiles.read(cg.dir("cpu", "quota").resolve("cpu.cfs_quota_us")));
        assertEquals("100000", CgroupFiles.read(cg.dir("cpu", "quota").resolve("cpu.cfs_period_us")));
        cg.workload("while :; do :; done").joinAndRelease(h);
        Thread.sleep(200); // let the loop get going

        ResourceStats.Cpu before = cg.driver.stats(h).cpu();
        long start = System.nanoTime();
        Thread.sleep(1500);
        ResourceStats.Cpu after = cg.driver.stats(h).cpu();
        double share = (after.total() - before.total()) / (double) (System.nanoTime() - start);

        System.out.printf("cpu quota 20000/100000: %.1f%% of one CPU, %d of %d periods throttled%n",
                share * 100, after.throttledPeriods() - before.throttledPeriods(), after.periods() - before.periods());
        assertTrue(after.throttledPeriods() > before.throttledPeriods(), "no throttled periods: " + after);
        assertTrue(after.throttledTime() > before.throttledTime(), after.toString());
        // 20% allowed; the machine is shared, so only the ceiling is sharp
        assertTrue(share >= 0.10 && share <= 0.35, "usage " + share);
        assertTrue(after.perCpu().stream().mapToLong(Long::longValue).sum() > 0, after.toString());
        cg.driver.delete(h);
    }

    @Test
    void cpusetPinsTheProcessSharesAndIdleAreApplied() throws Exception {
        CgroupHandle h = cg.driver.create("pin", null, cpu(new CpuResources(512L, null, null, null, null, null,
                "0", "0", null)));
        assertEquals("512", CgroupFiles.read(cg.dir("cpu", "pin").resolve("cpu.shares")));
        Workload w = cg.workload("grep Cpus_allowed_list /proc/self/status").joinAndRelease(h);
        assertTrue(w.waitFor(Duration.ofSeconds(30)));
        assertTrue(w.output().matches("(?s)Cpus_allowed_list:\\s+0\\s*"), w.output());

        Path parentCpus = cg.dir("cpuset", "pin").getParent().resolve("cpuset.cpus");
        String all = Files.readString(parentCpus).strip();
        cg.driver.update(h, cpu(new CpuResources(null, null, null, null, null, null, all, null, null)));
        Workload w2 = cg.workload("grep Cpus_allowed_list /proc/self/status").joinAndRelease(h);
        assertTrue(w2.waitFor(Duration.ofSeconds(30)));
        assertTrue(w2.output().contains(all), w2.output() + " vs " + all);

        // SCHED_IDLE: the kernel then weighs the group at its minimum, whatever cpu.shares was
        cg.driver.update(h, cpu(new CpuResources(null, null, null, null, null, null, null, null, 1L)));
        assertEquals("1", CgroupFiles.read(cg.dir("cpu", "pin").resolve("cpu.idle")));
        assertEquals("3", CgroupFiles.read(cg.dir("cpu", "pin").resolve("cpu.shares")));
        cg.driver.delete(h);
    }
}
