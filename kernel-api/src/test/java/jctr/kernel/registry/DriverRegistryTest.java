package jctr.kernel.registry;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import jctr.kernel.DriverUnavailableException;
import jctr.kernel.host.CgroupMode;
import jctr.kernel.host.HostInfo;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.ResourceDriver;
import jctr.kernel.spi.ResourceEventListener;
import jctr.kernel.spi.ResourceStats;
import jctr.kernel.spi.Subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Selection rules of the registry, with in-test resource drivers whose probes the test controls. */
class DriverRegistryTest {

    private static final DriverContext CTX = new DriverContext(Path.of("/run/x"), Path.of("/var/lib/x"), Map.of(),
            new HostInfo("6.1", "x86_64", CgroupMode.HYBRID, null, java.util.Set.of(), Map.of(), java.util.Set.of(), true));

    /** A resource driver that only answers name/probe/initialize; selection never calls the rest. */
    static class TestDriver implements ResourceDriver {
        final String name;
        final ProbeResult probe;
        final int priority;
        final int spi;
        final AtomicInteger initialized = new AtomicInteger();
        Map<String, String> options;

        TestDriver(String name, ProbeResult probe, int priority) {
            this(name, probe, priority, SPI_VERSION);
        }

        TestDriver(String name, ProbeResult probe, int priority, int spi) {
            this.name = name;
            this.probe = probe;
            this.priority = priority;
            this.spi = spi;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public ProbeResult probe(DriverContext context) {
            return probe;
        }

        @Override
        public void initialize(DriverContext context) {
            initialized.incrementAndGet();
            options = context.options();
        }

        @Override
        public int autoPriority() {
            return priority;
        }

        @Override
        public int spiVersion() {
            return spi;
        }

        @Override
        public CgroupHandle create(String id, String path, LinuxResources r) {
            throw new AssertionError("not used by selection");
        }

        @Override
        public void update(CgroupHandle c, LinuxResources r) {
            throw new AssertionError("not used by selection");
        }

        @Override
        public ResourceStats stats(CgroupHandle c) {
            throw new AssertionError("not used by selection");
        }

        @Override
        public void freeze(CgroupHandle c) {
            throw new AssertionError("not used by selection");
        }

        @Override
        public void thaw(CgroupHandle c) {
            throw new AssertionError("not used by selection");
        }

        @Override
        public List<Integer> pids(CgroupHandle c) {
            throw new AssertionError("not used by selection");
        }

        @Override
        public void delete(CgroupHandle c) {
            throw new AssertionError("not used by selection");
        }

        @Override
        public Subscription watch(CgroupHandle c, ResourceEventListener l) {
            throw new AssertionError("not used by selection");
        }
    }

    private static DriverRegistry registry(TestDriver... drivers) {
        return DriverRegistry.of(Map.of(DriverKind.RESOURCE, List.of(drivers)));
    }

    @Test
    void autoPicksTheAvailableDriverWithTheHighestPriority() {
        TestDriver v1 = new TestDriver("cgroup-v1", ProbeResult.available("v1 here"), 50);
        TestDriver v2 = new TestDriver("cgroup-v2", ProbeResult.unavailable("only hugetlb delegated"), 100);
        TestDriver manual = new TestDriver("manual", ProbeResult.available("always"), 0);
        DriverRegistry r = registry(v2, v1, manual);
        assertSame(v1, r.resource("auto", CTX, Map.of("parent", "p")));
        assertEquals(1, v1.initialized.get());
        assertEquals(Map.of("parent", "p"), v1.options);
        assertSame(v1, r.resource(null, CTX, Map.of()));
        assertEquals(1, v1.initialized.get(), "initialized once");
        assertSame(manual, r.resource("manual", CTX, Map.of()), "priority 0 is never auto but can be named");
    }

    @Test
    void aConfiguredDriverThatCannotRunFailsWithEveryProbe() {
        DriverRegistry r = registry(new TestDriver("cgroup-v1", ProbeResult.available("v1 here"), 50),
                new TestDriver("cgroup-v2", ProbeResult.unavailable("only hugetlb delegated"), 100));
        DriverUnavailableException e = assertThrows(DriverUnavailableException.class,
                () -> r.resource("cgroup-v2", CTX, Map.of()));
        assertEquals("the configured resource driver \"cgroup-v2\" cannot run here: only hugetlb delegated", e.headline());
        assertTrue(e.getMessage().contains("cgroup-v1: available (v1 here)"), e.getMessage());
        assertTrue(e.getMessage().contains("cgroup-v2: unavailable (only hugetlb delegated)"), e.getMessage());
    }

    @Test
    void unknownNamesListTheDriversThatExist() {
        DriverRegistry r = registry(new TestDriver("cgroup-v1", ProbeResult.available("v1"), 50));
        DriverUnavailableException e = assertThrows(DriverUnavailableException.class,
                () -> r.resource("cgroup-v3", CTX, Map.of()));
        assertEquals("unknown resource driver \"cgroup-v3\"", e.headline());
        assertTrue(e.getMessage().contains("cgroup-v1: available (v1)"));
    }

    @Test
    void autoWithNothingUsableSaysWhy() {
        DriverRegistry r = registry(new TestDriver("cgroup-v2", ProbeResult.unavailable("no cgroup2"), 100));
        DriverUnavailableException e = assertThrows(DriverUnavailableException.class, () -> r.resource("auto", CTX, Map.of()));
        assertTrue(e.getMessage().contains("cgroup-v2: unavailable (no cgroup2)"), e.getMessage());
        DriverUnavailableException none = assertThrows(DriverUnavailableException.class,
                () -> DriverRegistry.of(Map.of()).storage("auto", CTX, Map.of()));
        assertTrue(none.getMessage().contains("No storage drivers are installed"), none.getMessage());
    }

    @Test
    void aDriverForAnotherSpiVersionIsUnavailable() {
        TestDriver old = new TestDriver("old", ProbeResult.available("fine"), 10, 0);
        DriverRegistry r = registry(old);
        ProbeResult p = r.probe(old, CTX);
        assertFalse(p.available());
        assertTrue(p.detail().contains("SPI version 0"), p.detail());
    }

    @Test
    void duplicateAndMalformedNamesAreRefusedAtLoad() {
        assertThrows(IllegalStateException.class, () -> registry(new TestDriver("a", ProbeResult.available(""), 1),
                new TestDriver("a", ProbeResult.available(""), 1)));
        assertThrows(IllegalStateException.class, () -> registry(new TestDriver("Bad Name", ProbeResult.available(""), 1)));
    }

    @Test
    void aProbeThatThrowsIsReportedNotPropagated() {
        TestDriver boom = new TestDriver("boom", null, 10) {
            @Override
            public ProbeResult probe(DriverContext context) {
                throw new IllegalStateException("kaput");
            }
        };
        DriverRegistry r = registry(boom);
        assertTrue(r.probe(boom, CTX).detail().contains("kaput"));
        List<DriverReport> report = r.report(CTX);
        assertEquals(1, report.size());
        assertEquals("unnamed", report.getFirst().module());
    }

    @Test
    void serviceLoaderFindsTheSkeletonsOnTheClassPathOfOtherModules() {
        // kernel-api alone provides no drivers; loading must still work and report nothing.
        DriverRegistry r = DriverRegistry.load();
        assertEquals(List.of(), r.drivers(DriverKind.ISOLATION));
    }
}
