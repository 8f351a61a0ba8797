package jctr.cgroup.v2;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.BlockIoResources;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.HugepageLimit;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.oci.NetworkResources;
import jctr.kernel.oci.PidsResources;
import jctr.kernel.oci.ThrottleDevice;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The v2 translation of random OCI resources agrees with the table in docs/cgroups.md, written out here
 * independently of the controllers, and invalid values are refused with the field's name.
 */
class TranslationPropertiesTest {

    private static final int GLOBAL_SWAPPINESS = 60;
    private final UnifiedHierarchy hierarchy = new UnifiedHierarchy(Path.of("/nonexistent"), "/jctr",
            () -> OptionalInt.of(GLOBAL_SWAPPINESS));

    // ---- shares <-> weight ----

    @Property
    void sharesToWeightFollowsRuncsFormulaAndRoundTrips(@ForAll @LongRange(min = 2, max = 262144) long shares) {
        long weight = CpuController.sharesToWeight(shares);
        assertEquals(1 + ((shares - 2) * 9999) / 262142, weight);
        assertTrue(weight >= 1 && weight <= 10000, "weight " + weight);
        long back = CpuController.weightToShares(weight);
        // One weight step covers 262142/9999 (about 26.2) shares: the way back loses at most one step.
        assertTrue(Math.abs(shares - back) <= 262142 / 9999 + 1, shares + " -> " + weight + " -> " + back);
        assertTrue(Math.abs(CpuController.sharesToWeight(back) - weight) <= 1, "weight " + weight + " -> " + back);
    }

    @Example
    void weightEndpoints() {
        assertEquals(1, CpuController.sharesToWeight(2));
        assertEquals(10000, CpuController.sharesToWeight(262144));
        assertEquals(39, CpuController.sharesToWeight(1024));
        assertEquals(1, IoController.blkioToIoWeight(10));
        assertEquals(10000, IoController.blkioToIoWeight(1000));
    }

    @Property
    void blkioWeightMapsLinearlyOntoIoWeight(@ForAll @IntRange(min = 10, max = 1000) int weight) {
        long io = IoController.blkioToIoWeight(weight);
        assertEquals(1 + (weight - 10L) * 9999 / 990, io);
        assertTrue(io >= 1 && io <= 10000);
    }

    // ---- whole configurations against the table ----

    @Property(tries = 300)
    void randomConfigsTranslateAsDocumented(@ForAll("configs") LinuxResources r) {
        Map<String, List<String>> expected = expected(r);
        Map<String, List<String>> actual = new LinkedHashMap<>();
        List<Write> writes = hierarchy.translate(r, CgroupView.NONE);
        for (Write w : writes) {
            actual.computeIfAbsent(w.file(), k -> new ArrayList<>()).add(w.value());
            assertTrue(w.field().startsWith("linux.resources."), w.field());
        }
        assertEquals(expected, actual);
        // raw unified values come last so they win over translated ones
        int firstUnified = -1;
        for (int i = 0; i < writes.size(); i++) {
            if (writes.get(i).field().contains(".unified[")) {
                firstUnified = firstUnified < 0 ? i : firstUnified;
            } else {
                assertTrue(firstUnified < 0, "translated write after a unified one: " + writes);
            }
        }
    }

    /** The documented table. */
    private static Map<String, List<String>> expected(LinuxResources r) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        CpuResources c = r.cpu();
        if (c != null) {
            if (c.cpus() != null) {
                put(out, "cpuset.cpus", c.cpus());
            }
            if (c.shares() != null) {
                put(out, "cpu.weight", Long.toString(1 + ((c.shares() - 2) * 9999) / 262142));
            }
            if (c.quota() != null || c.period() != null) {
                String q = c.quota() == null || c.quota() == -1 ? "max" : c.quota().toString();
                put(out, "cpu.max", c.period() == null ? q : q + " " + c.period());
            }
            if (c.idle() != null) {
                put(out, "cpu.idle", c.idle().toString());
            }
        }
        MemoryResources m = r.memory();
        if (m != null) {
            Long limit = m.limit();
            if (m.swap() != null) {
                put(out, "memory.swap.max", m.swap() == -1 ? "max" : Long.toString(m.swap() - limit));
            } else if (limit != null && limit == -1) {
                put(out, "memory.swap.max", "max");
            }
            if (limit != null) {
                put(out, "memory.max", limit == -1 ? "max" : limit.toString());
            }
            if (m.reservation() != null) {
                put(out, "memory.low", m.reservation() == -1 ? "max" : m.reservation().toString());
            }
        }
        if (r.pids() != null) {
            put(out, "pids.max", r.pids().limit() <= 0 ? "max" : Long.toString(r.pids().limit()));
        }
        BlockIoResources b = r.blockIO();
        if (b != null) {
            if (b.weight() != null) {
                put(out, "io.weight", Long.toString(1 + (b.weight() - 10L) * 9999 / 990));
            }
            for (ThrottleDevice d : b.throttleReadBpsDevice()) {
                put(out, "io.max", d.major() + ":" + d.minor() + " rbps=" + (d.rate() == 0 ? "max" : d.rate()));
            }
            for (ThrottleDevice d : b.throttleWriteIOPSDevice()) {
                put(out, "io.max", d.major() + ":" + d.minor() + " wiops=" + (d.rate() == 0 ? "max" : d.rate()));
            }
        }
        for (HugepageLimit h : r.hugepageLimits()) {
            put(out, "hugetlb." + h.pageSize() + ".max", Long.toString(h.limit()));
        }
        r.unified().forEach((k, v) -> put(out, k, v));
        return out;
    }

    private static void put(Map<String, List<String>> out, String file, String value) {
        out.computeIfAbsent(file, k -> new ArrayList<>()).add(value);
    }

    @Provide
    Arbitrary<LinuxResources> configs() {
        Arbitrary<Long> limit = Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.longs().between(1 << 20, 1L << 40));
        Arbitrary<MemoryResources> memory = Combinators.combine(limit.injectNull(0.3),
                Arbitraries.longs().between(1, 1L << 30).injectNull(0.5),
                Arbitraries.longs().between(0, 1L << 30).injectNull(0.5), Arbitraries.of(true, false))
                .as((l, reservation, extraSwap, unlimitedSwap) -> {
                    Long swap = null;
                    if (l != null && l > 0 && extraSwap != null) {
                        swap = unlimitedSwap ? -1L : l + extraSwap;
                    }
                    return new MemoryResources(l, reservation, swap, null, null, null, null, null, null);
                }).injectNull(0.3);
        Arbitrary<CpuResources> cpu = Combinators.combine(
                Arbitraries.longs().between(2, 262144).injectNull(0.4),
                Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.longs().between(1000, 2_000_000)).injectNull(0.4),
                Arbitraries.longs().between(1000, 1_000_000).injectNull(0.4),
                Arbitraries.of("0", "0-1", "0,2-3", "1-7,9").injectNull(0.6),
                Arbitraries.longs().between(0, 1).injectNull(0.7))
                .as((shares, quota, period, cpus, idle) ->
                        new CpuResources(shares, quota, null, period, null, null, cpus, null, idle)).injectNull(0.3);
        Arbitrary<PidsResources> pids = Arbitraries.longs().between(-1, 100_000).map(PidsResources::new).injectNull(0.4);
        Arbitrary<ThrottleDevice> throttle = Combinators.combine(Arbitraries.longs().between(0, 300),
                Arbitraries.longs().between(0, 255), Arbitraries.longs().between(0, 1L << 32))
                .as(ThrottleDevice::new);
        Arbitrary<BlockIoResources> io = Combinators.combine(Arbitraries.integers().between(10, 1000).injectNull(0.4),
                throttle.list().ofMaxSize(3), throttle.list().ofMaxSize(2))
                .as((w, reads, wiops) -> new BlockIoResources(w, null, null, reads, null, null, wiops)).injectNull(0.4);
        Arbitrary<List<HugepageLimit>> huge = Combinators.combine(Arbitraries.of("2MB", "1GB", "64KB"),
                Arbitraries.longs().between(0, 1L << 34)).as(HugepageLimit::new).list().ofMaxSize(2)
                .uniqueElements(HugepageLimit::pageSize);
        Arbitrary<Map<String, String>> unified = Arbitraries.maps(
                Arbitraries.of("memory.high", "memory.oom.group", "pids.max", "cpu.weight.nice", "io.latency"),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(6)).ofMaxSize(3);
        return Combinators.combine(memory, cpu, pids, io, huge, unified)
                .as((m, c, p, b, h, u) -> new LinuxResources(null, m, c, p, b, h, null, null, u));
    }

    // ---- invalid values name their field ----

    @Property
    void negativeQuotaOtherThanMinusOneIsRefused(@ForAll @LongRange(min = -1_000_000, max = 999) long quota) {
        if (quota == -1 || quota == 0) {
            return;
        }
        assertField("linux.resources.cpu.quota", cpu(null, quota, null, null));
    }

    @Property
    void periodOutOfRangeIsRefused(@ForAll long period) {
        if (period == 0 || (period >= 1000 && period <= 1_000_000)) {
            return;
        }
        assertField("linux.resources.cpu.period", cpu(null, 50_000L, period, null));
    }

    @Property
    void sharesOutOfRangeAreRefused(@ForAll long shares) {
        if (shares == 0 || (shares >= 2 && shares <= 262144)) {
            return;
        }
        assertField("linux.resources.cpu.shares", cpu(shares, null, null, null));
    }

    @Property
    void badCpusetSyntaxIsRefused(@ForAll("badCpusets") String cpus) {
        assertField("linux.resources.cpu.cpus", cpu(null, null, null, cpus));
    }

    @Provide
    Arbitrary<String> badCpusets() {
        return Arbitraries.oneOf(
                Arbitraries.of("1-", "-1", "a", "3-1", "1,,2", ",", "0-3,x", "1 2", "0-1-2", "0x1", "1;2", "7-2,0"),
                Arbitraries.strings().withChars("abc;:!").ofMinLength(1).ofMaxLength(5));
    }

    @Property
    void blkioWeightOutOfRangeIsRefused(@ForAll int weight) {
        if (weight == 0 || (weight >= 10 && weight <= 1000)) {
            return;
        }
        assertField("linux.resources.blockIO.weight",
                resources(null, null, null, new BlockIoResources(weight, null, null, null, null, null, null), Map.of()));
    }

    @Property
    void unifiedKeysWithSlashesOrDotDotAreRefused(@ForAll("badUnifiedKeys") String key) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> hierarchy.translate(
                resources(null, null, null, null, Map.of(key, "1")), CgroupView.NONE));
        assertEquals("linux.resources.unified[\"" + key + "\"]", e.field(), e.getMessage());
    }

    @Provide
    Arbitrary<String> badUnifiedKeys() {
        return Arbitraries.oneOf(
                Arbitraries.of("../memory.max", "memory.max/..", "/memory.max", "a/b", "..", "memory..max", "memory",
                        "cgroup.procs", "cgroup.subtree_control", "cgroup.kill", "cgroup.freeze", ".max", ""),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(5).map(s -> "memory.max/" + s));
    }

    @Property
    void pidsBelowMinusOneAreRefused(@ForAll @LongRange(min = Long.MIN_VALUE, max = -2) long limit) {
        assertField("linux.resources.pids.limit", resources(null, null, new PidsResources(limit), null, Map.of()));
    }

    @Property
    void memoryLimitBelowMinusOneIsRefused(@ForAll @LongRange(min = Long.MIN_VALUE, max = -2) long limit) {
        assertField("linux.resources.memory.limit", memory(limit, null));
    }

    @Property
    void swapBelowTheMemoryLimitIsRefused(@ForAll @LongRange(min = 2, max = 1L << 40) long limit,
                                          @ForAll @LongRange(min = 1, max = 1L << 20) long less) {
        if (limit - less < 1) {
            return;
        }
        assertField("linux.resources.memory.swap", memory(limit, limit - less));
    }

    @Example
    void swapWithoutAMemoryLimitIsRefused() {
        assertField("linux.resources.memory.swap", memory(null, 1L << 30));
        assertField("linux.resources.memory.swap", memory(-1L, 1L << 30));
    }

    @Example
    void idleMustBeZeroOrOne() {
        assertField("linux.resources.cpu.idle", resources(null,
                new CpuResources(null, null, null, null, null, null, null, null, 2L), null, null, Map.of()));
    }

    @Example
    void hugepageSizeMustLookLikeASize() {
        assertField("linux.resources.hugepageLimits[0].pageSize", new LinuxResources(null, null, null, null, null,
                List.of(new HugepageLimit("2M/..", 1)), null, null, null));
    }

    // ---- settings v2 cannot express ----

    @Example
    void whatV2LacksIsRefusedWithTheField() {
        assertUnsupported("linux.resources.memory.disableOOMKiller",
                resources(new MemoryResources(null, null, null, null, null, null, true, null, null), null, null, null,
                        Map.of()));
        assertUnsupported("linux.resources.memory.kernelTCP",
                resources(new MemoryResources(null, null, null, null, 1L << 20, null, null, null, null), null, null,
                        null, Map.of()));
        assertUnsupported("linux.resources.memory.swappiness",
                resources(new MemoryResources(null, null, null, null, null, 10L, null, null, null), null, null, null,
                        Map.of()));
        assertUnsupported("linux.resources.cpu.realtimeRuntime",
                resources(null, new CpuResources(null, null, null, null, 950_000L, null, null, null, null), null, null,
                        Map.of()));
        assertUnsupported("linux.resources.network.classID",
                new LinuxResources(null, null, null, null, null, null, new NetworkResources(0x100001L, null), null, null));
        assertUnsupported("linux.resources.blockIO.leafWeight",
                resources(null, null, null, new BlockIoResources(null, 500, null, null, null, null, null), Map.of()));
    }

    @Example
    void swappinessEqualToTheGlobalValueIsAccepted() {
        List<Write> w = hierarchy.translate(resources(new MemoryResources(null, null, null, null, null,
                (long) GLOBAL_SWAPPINESS, false, true, null), null, null, null, Map.of()), CgroupView.NONE);
        assertEquals(List.of(), w);
    }

    private void assertField(String field, LinuxResources r) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> hierarchy.translate(r, CgroupView.NONE));
        assertEquals(field, e.field(), e.getMessage());
    }

    private void assertUnsupported(String field, LinuxResources r) {
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> hierarchy.translate(r, CgroupView.NONE));
        assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    }

    private static LinuxResources cpu(Long shares, Long quota, Long period, String cpus) {
        return resources(null, new CpuResources(shares, quota, null, period, null, null, cpus, null, null), null, null,
                Map.of());
    }

    private static LinuxResources memory(Long limit, Long swap) {
        return resources(new MemoryResources(limit, null, swap, null, null, null, null, null, null), null, null, null,
                Map.of());
    }

    private static LinuxResources resources(MemoryResources m, CpuResources c, PidsResources p, BlockIoResources b,
                                            Map<String, String> unified) {
        return new LinuxResources(null, m, c, p, b, null, null, null, unified);
    }
}
