package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import jctr.kernel.oci.BlockIoResources;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.HugepageLimit;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.oci.PidsResources;

/**
 * For random valid configs, the v1 files get exactly the OCI numbers (v1 takes the spec's units as they
 * are; the conversions, such as shares to weight, are the v2 driver's), as docs/cgroups.md's v1 table says.
 */
class TranslationPropertiesTest {

    /** One fake hierarchy per property, shared by its tries: every try writes (or checks) every file it reads. */
    private TempHierarchy t;

    @BeforeProperty
    void makeHierarchy() {
        t = new TempHierarchy("jctr/c");
    }

    @AfterProperty
    void removeHierarchy() {
        t.close();
    }

    @Property(tries = 200)
    void memoryValuesAreWrittenAsTheyAre(@ForAll("limits") long limit, @ForAll("extra") long extraSwap,
                                         @ForAll("limits") long reservation, @ForAll("swappiness") long swappiness) {
        long swap = limit == -1 || extraSwap == -1 ? -1 : limit + extraSwap;
        MemoryResources m = new MemoryResources(limit, reservation, swap, null, null, swappiness, false, null, null);
        t.fs.driver().create("c", null, new LinuxResources(null, m, null, null, null, null, null, null, null));
        assertEquals(Long.toString(limit), t.fs.read("memory", "jctr/c", "memory.limit_in_bytes"));
        assertEquals(Long.toString(swap), t.fs.read("memory", "jctr/c", "memory.memsw.limit_in_bytes"));
        assertEquals(Long.toString(reservation), t.fs.read("memory", "jctr/c", "memory.soft_limit_in_bytes"));
        assertEquals(Long.toString(swappiness), t.fs.read("memory", "jctr/c", "memory.swappiness"));
        assertEquals("0", t.fs.read("memory", "jctr/c", "memory.oom_control"));
    }

    @Property(tries = 200)
    void cpuValuesAreWrittenAsTheyAre(@ForAll("shares") long shares, @ForAll("quota") long quota,
                                      @ForAll("period") long period, @ForAll("cpuList") String cpus) {
        CpuResources c = new CpuResources(shares, quota, null, period, null, null, cpus, "0", null);
        t.fs.driver().create("c", null, new LinuxResources(null, null, c, null, null, null, null, null, null));
        assertEquals(Long.toString(shares), t.fs.read("cpu", "jctr/c", "cpu.shares"));
        assertEquals(Long.toString(quota), t.fs.read("cpu", "jctr/c", "cpu.cfs_quota_us"));
        assertEquals(Long.toString(period), t.fs.read("cpu", "jctr/c", "cpu.cfs_period_us"));
        assertEquals(cpus, t.fs.read("cpuset", "jctr/c", "cpuset.cpus"));
    }

    @Property(tries = 100)
    void pidsBlkioAndHugetlbValuesAreWrittenAsTheyAre(@ForAll("pidsLimit") long pids, @ForAll("weight") int weight,
                                                      @ForAll("limits") long huge) {
        LinuxResources r = new LinuxResources(null, null, null, new PidsResources(pids),
                new BlockIoResources(weight, null, null, null, null, null, null),
                List.of(new HugepageLimit("1GB", huge)), null, null, null);
        t.fs.driver().create("c", null, r);
        assertEquals(pids <= 0 ? "max" : Long.toString(pids), t.fs.read("pids", "jctr/c", "pids.max"));
        assertEquals(Integer.toString(weight), t.fs.read("blkio", "jctr/c", "blkio.bfq.weight"));
        assertEquals(Long.toString(huge), t.fs.read("hugetlb", "jctr/c", "hugetlb.1GB.limit_in_bytes"));
    }

    @Provide
    Arbitrary<Long> limits() {
        return Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.longs().between(1, 1L << 50));
    }

    @Provide
    Arbitrary<Long> extra() {
        return Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.longs().between(0, 1L << 40));
    }

    @Provide
    Arbitrary<Long> swappiness() {
        return Arbitraries.longs().between(0, 100);
    }

    @Provide
    Arbitrary<Long> shares() {
        return Arbitraries.longs().between(CpuController.MIN_SHARES, CpuController.MAX_SHARES);
    }

    @Provide
    Arbitrary<Long> quota() {
        return Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.longs().between(CpuController.MIN_QUOTA, 100_000_000L));
    }

    @Provide
    Arbitrary<Long> period() {
        return Arbitraries.longs().between(CpuController.MIN_PERIOD, CpuController.MAX_PERIOD);
    }

    @Provide
    Arbitrary<Long> pidsLimit() {
        return Arbitraries.longs().between(-1, 1L << 22);
    }

    @Provide
    Arbitrary<Integer> weight() {
        return Arbitraries.integers().between(BlkioController.MIN_WEIGHT, BlkioController.MAX_WEIGHT);
    }

    /** Lists such as {@code 3}, {@code 0-2,5}, {@code 1,4-7}. */
    @Provide
    Arbitrary<String> cpuList() {
        Arbitrary<String> item = Combinators.combine(Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(0, 8), Arbitraries.of(true, false))
                .as((from, len, range) -> range ? from + "-" + (from + len) : Integer.toString(from));
        return item.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(",", l));
    }
}
