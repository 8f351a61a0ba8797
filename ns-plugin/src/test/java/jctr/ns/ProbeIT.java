package jctr.ns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.host.HostInfo;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.NamespaceType;
import jctr.kernel.oci.Spec;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.IsolationRequest;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.Stdio;
import jctr.kernel.testing.BusyboxRootfs;
import jctr.kernel.testing.RootOnly;
import jctr.ns.plan.SeccompProgram;
import jctr.ns.seccomp.SeccompCompiler;

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

    /** A /proc/self/ns stand-in listing every namespace type but {@code lacking}. */
    private Path kernelWithout(NamespaceType... lacking) throws Exception {
        Path ns = Files.createDirectories(dir.resolve("ns"));
        for (NamespaceType t : NamespaceType.values()) {
            if (!List.of(lacking).contains(t)) {
                Files.createFile(ns.resolve(t.procName()));
            }
        }
        return ns;
    }

    private static NamespaceIsolationDriver driverFor(Path nsDir) {
        return new NamespaceIsolationDriver(profile -> new SeccompProgram(SeccompCompiler.filterFlags(profile),
                SeccompCompiler.compile(profile)), nsDir);
    }

    @Test
    void aKernelWithoutTimeNamespacesRefusesOnlyConfigsThatAskForOne() throws Exception {
        RootOnly.assumeRoot();
        // user-mode Linux 6.1 (the cgroup v2 test guest) is built without time namespaces
        NamespaceIsolationDriver d = driverFor(kernelWithout(NamespaceType.TIME));
        ProbeResult r = d.probe(context(Map.of(), true));
        assertTrue(r.available(), r.detail());
        assertTrue(r.detail().contains("no time namespaces"), r.detail());

        d.initialize(context(Map.of(), true));
        Path rootfs = BusyboxRootfs.create(dir.resolve("rootfs"));
        Spec spec = TestSpecs.spec(rootfs.toString(), "true");
        List<Namespace> withTime = new ArrayList<>(spec.linux().namespaces());
        withTime.add(new Namespace("time", null));
        Spec timeSpec = spec.withLinux(spec.linux().withNamespaces(withTime));
        Path stateDir = dir.resolve("state/c1");
        var e = assertThrows(UnsupportedFeatureException.class, () -> d.create(new IsolationRequest("c1", timeSpec,
                dir, stateDir, null, new Stdio.Inherit(), null)));
        assertTrue(e.getMessage().startsWith("linux.namespaces[" + (withTime.size() - 1) + "]: this kernel has no time"),
                e.getMessage());
        assertFalse(Files.exists(stateDir), "nothing is launched or written for a refused config");
    }

    @Test
    void aKernelWithoutMountNamespacesCannotRunContainers() throws Exception {
        RootOnly.assumeRoot();
        ProbeResult r = driverFor(kernelWithout(NamespaceType.MOUNT, NamespaceType.TIME)).probe(context(Map.of(), true));
        assertFalse(r.available());
        assertTrue(r.detail().contains("no mount namespaces"), r.detail());
    }

    @Test
    void aBadOptionNamesItsKey() {
        var e = assertThrows(InvalidConfigException.class,
                () -> new NamespaceIsolationDriver().initialize(context(Map.of("launchTimeoutMillis", "soon"), true)));
        assertEquals("driverOptions.namespaces.launchTimeoutMillis", e.field());
    }
}
