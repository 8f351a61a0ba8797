package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.oci.BlockIoResources;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.DeviceRule;
import jctr.kernel.oci.HugepageLimit;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.oci.PidsResources;
import jctr.kernel.oci.ThrottleDevice;
import jctr.kernel.spi.CgroupHandle;

/** Invalid values are refused with the field's name, by create and update alike, before any file is written. */
class ValidationPropertiesTest {

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

    /** A config with one invalid value, and the field the error must name. */
    record Bad(LinuxResources resources, String field) {
    }

    @Property(tries = 300)
    void createRejectsInvalidValuesByFieldAndWritesNothing(@ForAll("bad") Bad bad) {
        Map<Path, String> before = t.fs.snapshot();
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> t.fs.driver().create("c", null, bad.resources()));
        assertEquals(bad.field(), e.field(), e.getMessage());
        assertEquals(before, t.fs.snapshot());
    }

    @Property(tries = 100)
    void updateRejectsInvalidValuesByFieldAndWritesNothing(@ForAll("bad") Bad bad) {
        CgroupV1Driver d = t.fs.driver();
        CgroupHandle h = d.create("c", null, LinuxResources.EMPTY);
        Map<Path, String> before = t.fs.snapshot();
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> d.update(h, bad.resources()));
        assertEquals(bad.field(), e.field(), e.getMessage());
        assertEquals(before, t.fs.snapshot());
    }

    @Provide
    Arbitrary<Bad> bad() {
        return Arbitraries.oneOf(
                Arbitraries.longs().lessOrEqual(-2).map(q -> cpu(new CpuResources(null, q, null, null, null, null, null, null, null),
                        "quota")),
                Arbitraries.longs().between(1, CpuController.MIN_QUOTA - 1).map(q ->
                        cpu(new CpuResources(null, q, null, null, null, null, null, null, null), "quota")),
                Arbitraries.oneOf(Arbitraries.longs().between(1, CpuController.MIN_PERIOD - 1),
                        Arbitraries.longs().greaterOrEqual(CpuController.MAX_PERIOD + 1), Arbitraries.longs().lessOrEqual(-1))
                        .map(p -> cpu(new CpuResources(null, null, null, p, null, null, null, null, null), "period")),
                Arbitraries.oneOf(Arbitraries.just(1L), Arbitraries.longs().lessOrEqual(-1),
                        Arbitraries.longs().greaterOrEqual(CpuController.MAX_SHARES + 1))
                        .map(s -> cpu(new CpuResources(s, null, null, null, null, null, null, null, null), "shares")),
                badCpuList().map(s -> cpu(new CpuResources(null, null, null, null, null, null, s, null, null), "cpus")),
                badCpuList().map(s -> cpu(new CpuResources(null, null, null, null, null, null, null, s, null), "mems")),
                Arbitraries.longs().between(2, 100).map(i -> cpu(new CpuResources(null, null, null, null, null, null, null, null, i),
                        "idle")),
                Arbitraries.longs().lessOrEqual(-2).map(l -> memory(new MemoryResources(l, null, null, null, null, null, null, null,
                        null), "limit")),
                Arbitraries.longs().between(2, 1L << 40).map(l -> memory(new MemoryResources(l, null, l - 1, null, null, null, null,
                        null, null), "swap")),
                Arbitraries.oneOf(Arbitraries.longs().greaterOrEqual(101), Arbitraries.longs().lessOrEqual(-2))
                        .map(s -> memory(new MemoryResources(null, null, null, null, null, s, null, null, null), "swappiness")),
                Arbitraries.longs().lessOrEqual(-2).map(l -> new Bad(new LinuxResources(null, null, null, new PidsResources(l), null,
                        null, null, null, null), "linux.resources.pids.limit")),
                Arbitraries.oneOf(Arbitraries.integers().between(1, BlkioController.MIN_WEIGHT - 1),
                        Arbitraries.integers().greaterOrEqual(BlkioController.MAX_WEIGHT + 1), Arbitraries.integers().lessOrEqual(-1))
                        .map(w -> new Bad(new LinuxResources(null, null, null, null, new BlockIoResources(w, null, null, null, null,
                                null, null), null, null, null, null), "linux.resources.blockIO.weight")),
                Arbitraries.longs().lessOrEqual(-1).map(rate -> new Bad(new LinuxResources(null, null, null, null,
                        new BlockIoResources(null, null, null, null, List.of(new ThrottleDevice(254, 0, 1), new ThrottleDevice(254, 0, rate)),
                                null, null), null, null, null, null), "linux.resources.blockIO.throttleWriteBpsDevice[1].rate")),
                Arbitraries.of("2M", "MB", "0MB", "2 MB", "2mb", "", "1TB").map(size -> new Bad(new LinuxResources(null, null, null,
                        null, null, List.of(new HugepageLimit(size, 1)), null, null, null), "linux.resources.hugepageLimits[0].pageSize")),
                Arbitraries.of("x", "u", "p", "aa").map(type -> new Bad(new LinuxResources(List.of(new DeviceRule(true, "c", 1L, 3L,
                        "rwm"), new DeviceRule(true, type, null, null, "r")), null, null, null, null, null, null, null, null),
                        "linux.resources.devices[1].type")));
    }

    private static Arbitrary<String> badCpuList() {
        return Arbitraries.oneOf(
                Arbitraries.of("0-", "a", "-1", "1,,2", "3-1", " 1", "1 ", ",1", "1,", "0-2-4", "1;2", "0x1"),
                Arbitraries.strings().withChars("0123456789,-").ofMinLength(1).ofMaxLength(8)
                        .filter(s -> !s.matches("\\d+(-\\d+)?(,\\d+(-\\d+)?)*")));
    }

    private static Bad cpu(CpuResources c, String field) {
        return new Bad(new LinuxResources(null, null, c, null, null, null, null, null, null), "linux.resources.cpu." + field);
    }

    private static Bad memory(MemoryResources m, String field) {
        return new Bad(new LinuxResources(null, m, null, null, null, null, null, null, null), "linux.resources.memory." + field);
    }
}
