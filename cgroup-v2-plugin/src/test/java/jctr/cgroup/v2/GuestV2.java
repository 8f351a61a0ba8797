package jctr.cgroup.v2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import jctr.kernel.host.CgroupMode;
import jctr.kernel.host.HostInfo;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.DriverContext;
import org.junit.jupiter.api.Assumptions;

/**
 * For the {@code *InGuest} tests: the cgroup-v2 driver, initialized through its SPI on the guest's real
 * cgroup v2 hierarchy with a unique parent under /jctr-test. Closing removes that parent with everything
 * in it (processes first), so a failed test leaves nothing behind.
 */
final class GuestV2 implements AutoCloseable {

    static final Path ROOT = Path.of("/sys/fs/cgroup");

    final CgroupV2Driver driver = new CgroupV2Driver();
    final String parent;
    private final boolean createdTestParent;

    private GuestV2(String name) {
        HostInfo host = HostInfo.detect();
        Assumptions.assumeTrue(Files.isRegularFile(ROOT.resolve("cgroup.subtree_control"))
                && host.cgroupMode() == CgroupMode.UNIFIED && host.unifiedControllers().contains("memory"),
                "needs the cgroup v2 guest (scripts/v2-guest); run through V2GuestIT");
        createdTestParent = !Files.exists(ROOT.resolve("jctr-test"));
        parent = "/jctr-test/" + name + "-" + System.nanoTime();
        driver.initialize(new DriverContext(Path.of("/tmp/jctr-state"), Path.of("/tmp/jctr-data"),
                Map.of(CgroupV2Driver.OPTION_PARENT, parent), host));
    }

    static GuestV2 open(String name) {
        return new GuestV2(name);
    }

    CgroupHandle create(String id, LinuxResources resources) {
        return driver.create(id, null, resources);
    }

    static String file(CgroupHandle h, String name) {
        try {
            return Files.readString(Path.of(h.cloneIntoDir(), name)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path parentDir() {
        return ROOT.resolve(parent.substring(1));
    }

    @Override
    public void close() {
        driver.delete(new CgroupHandle(UnifiedHierarchy.DRIVER, parent, null, List.of(),
                Map.of(UnifiedHierarchy.STATE_ROOT, ROOT.toString())));
        if (createdTestParent) {
            try {
                Files.deleteIfExists(ROOT.resolve("jctr-test"));
            } catch (IOException e) {
                // another test's cgroup is in it now; that test removes the parent
            }
        }
    }
}
