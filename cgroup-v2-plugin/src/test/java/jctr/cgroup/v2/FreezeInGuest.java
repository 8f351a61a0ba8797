package jctr.cgroup.v2;

import java.nio.file.Files;
import java.nio.file.Path;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** freeze stops a counting process and returns once it is frozen; thaw lets it continue. */
class FreezeInGuest {

    private GuestV2 v2;

    @BeforeEach
    void open() {
        v2 = GuestV2.open("freeze");
    }

    @AfterEach
    void close() {
        v2.close();
    }

    @Test
    void freezeStopsTheCounterAndThawContinuesIt() throws Exception {
        CgroupHandle h = v2.create("frz", LinuxResources.EMPTY);
        Path counter = Path.of(System.getProperty("java.io.tmpdir"), "jctr-counter-" + System.nanoTime());
        try (Child c = Child.start(UnifiedHostIT.countingScript(counter))) {
            c.moveInto(h).go();
            UnifiedHostIT.awaitCount(counter, 3);
            v2.driver.freeze(h);
            assertTrue(GuestV2.file(h, "cgroup.events").contains("frozen 1"));
            long frozen = UnifiedHostIT.count(counter);
            Thread.sleep(500);
            assertEquals(frozen, UnifiedHostIT.count(counter), "the counter moved while frozen");
            v2.driver.thaw(h);
            assertTrue(GuestV2.file(h, "cgroup.events").contains("frozen 0"));
            UnifiedHostIT.awaitCount(counter, frozen + 5);
        } finally {
            Files.deleteIfExists(counter);
            Files.deleteIfExists(Path.of(counter + ".tmp"));
        }
    }
}
