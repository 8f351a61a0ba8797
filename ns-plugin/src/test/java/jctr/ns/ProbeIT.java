package jctr.ns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.host.HostInfo;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.testing.RootOnly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbeIT {

    @TempDir
    Path dir;

    private DriverContext context(Map<String, String> options, boolean root) {
        HostInfo h = HostInfo.detect();
        HostInfo host = new HostInfo(h.kernelRelease(), h.machine(), h.cgroupMode(), h.unifiedMount(),
                h.unifiedControllers(), h.v1Controllers(), h.filesystems(), root);
        return new DriverContext(dir.resolve("state"), dir.resolve("data"), options, host);
    }

    @Test
    void probeRunsTheExtractedLauncherAndReportsWhatItFound() throws Exception {
        RootOnly.assumeRoot();
        ProbeResult r = new NamespaceIsolationDriver().probe(context(Map.of(), true));
        assertTrue(r.available(), r.detail());
        assertTrue(r.detail().contains("clone3"), r.detail());
        // the launcher is extracted once, content-addressed, owner-only
        Path bin = dir.resolve("state/drivers/namespaces");
        try (Stream<Path> files = Files.list(bin)) {
            var launchers = files.filter(p -> p.getFileName().toString().startsWith("jctr-init-")).toList();
            assertEquals(1, launchers.size());
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(launchers.getFirst())));
        }
        assertTrue(new NamespaceIsolationDriver().probe(context(Map.of(), true)).available());
    }

    @Test
    void probeSaysWhyItCannotRun() {
        RootOnly.assumeRoot();
        ProbeResult r = new NamespaceIsolationDriver().probe(context(Map.of(), false));
        assertFalse(r.available());
        assertTrue(r.detail().contains("needs root"), r.detail());
    }

    @Test
    void aCorruptedLauncherIsReplaced() throws Exception {
        RootOnly.assumeRoot();
        NamespaceIsolationDriver d = new NamespaceIsolationDriver();
        assertTrue(d.probe(context(Map.of(), true)).available());
        Path launcher;
        try (Stream<Path> files = Files.list(dir.resolve("state/drivers/namespaces"))) {
            launcher = files.filter(p -> p.getFileName().toString().startsWith("jctr-init-")).findFirst().orElseThrow();
        }
        byte[] good = Files.readAllBytes(launcher);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 0x55;
        Files.write(launcher, bad);
        assertTrue(new NamespaceIsolationDriver().probe(context(Map.of(), true)).available());
        assertTrue(java.util.Arrays.equals(good, Files.readAllBytes(launcher)));
    }

    @Test
    void aBadOptionNamesItsKey() {
        var e = assertThrows(InvalidConfigException.class,
                () -> new NamespaceIsolationDriver().initialize(context(Map.of("launchTimeoutMillis", "soon"), true)));
        assertEquals("driverOptions.namespaces.launchTimeoutMillis", e.field());
    }
}
