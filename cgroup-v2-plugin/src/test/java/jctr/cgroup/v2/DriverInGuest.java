package jctr.cgroup.v2;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.host.HostInfo;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ProbeResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver on a real v2 system: probe, the handle, and what this guest kernel lacks. */
class DriverInGuest {

    private GuestV2 v2;

    @BeforeEach
    void open() {
        v2 = GuestV2.open("driver");
    }

    @AfterEach
    void close() {
        v2.close();
    }

    @Test
    void probeFindsTheControllers() {
        ProbeResult p = new CgroupV2Driver().probe(new DriverContext(Path.of("/tmp"), Path.of("/tmp"), Map.of(),
                HostInfo.detect()));
        assertTrue(p.available(), p.detail());
        assertTrue(p.detail().startsWith("cgroup2 at /sys/fs/cgroup, controllers: "), p.detail());
    }

    @Test
    void theHandleNamesTheDirectoryToCloneInto() {
        CgroupHandle h = v2.create("handle", LinuxResources.EMPTY);
        assertEquals(v2.parent + "/handle", h.path());
        assertEquals(GuestV2.ROOT.resolve(h.path().substring(1)).toString(), h.cloneIntoDir());
        assertTrue(Files.isRegularFile(Path.of(h.procsFiles().getFirst())));
        assertTrue(GuestV2.file(h, "cgroup.controllers").contains("memory"), "the parent passes memory down");
    }

    @Test
    void aControllerThisKernelLacksIsAClearError() {
        // Debian's user-mode-linux kernel has no cpuset controller.
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> v2.create("cpuset",
                new LinuxResources(null, null, new CpuResources(null, null, null, null, null, null, "0", null, null),
                        null, null, null, null, null, null)));
        assertTrue(e.getMessage().startsWith("linux.resources.cpu.cpus: needs the cpuset controller"), e.getMessage());
        assertFalse(Files.exists(v2.parentDir().resolve("cpuset")));
    }
}
