package jctr.ns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.oci.Capabilities;
import jctr.kernel.oci.IdMapping;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Mount;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Root;
import jctr.kernel.oci.Spec;
import jctr.kernel.spi.Stdio;
import jctr.kernel.testing.MountTable;
import jctr.kernel.testing.RootOnly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad configs fail create with an error naming the field, and leave no mount, process or socket behind. */
class BadInputIT {

    @TempDir
    Path dir;
    ContainerHarness h;
    List<String> mountsBefore;
    List<Long> childrenBefore;

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.assumeRoot();
        h = new ContainerHarness(dir);
        mountsBefore = MountTable.under(dir);
        childrenBefore = children();
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    private static List<Long> children() {
        List<Long> out = new ArrayList<>();
        ProcessHandle.current().children().forEach(p -> out.add(p.pid()));
        return out;
    }

    /** Asserts that create fails with an InvalidConfigException on {@code field} and that nothing is left. */
    private InvalidConfigException fails(Spec spec, String field) throws Exception {
        var request = h.request(spec, Stdio.inherit(), null);
        KernelException e = assertThrows(KernelException.class, () -> h.create(request));
        InvalidConfigException ice = assertInstanceOf(InvalidConfigException.class, e, e::toString);
        assertEquals(field, ice.field(), ice.getMessage());
        assertEquals(mountsBefore, MountTable.under(dir), "a mount was left behind");
        assertEquals(childrenBefore, children(), "a process was left behind");
        return ice;
    }

    private Spec withLinux(Spec spec, Supplier<LinuxSpec> linux) {
        return spec.withLinux(linux.get());
    }

    @Test
    void missingRootfs() throws Exception {
        Spec spec = h.spec("/bin/true");
        var e = fails(spec.withRoot(new Root(dir.resolve("nope").toString(), null)), "root.path");
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void programNotFoundInTheRootfs() throws Exception {
        var e = fails(h.spec("no-such-program", "x"), "process.args[0]");
        assertEquals("process.args[0]: executable \"no-such-program\" not found in the container's PATH "
                + "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin: ENOENT (No such file or directory)",
                e.getMessage());
        // a host path that is not in the rootfs is not found either: the lookup happens after pivot_root
        fails(h.spec(Path.of(System.getProperty("java.home"), "bin", "java").toString()), "process.args[0]");
    }

    @Test
    void programNotExecutable() throws Exception {
        Files.writeString(h.rootfs.resolve("bin/data"), "not a program");
        var e = fails(h.spec("/bin/data"), "process.args[0]");
        assertTrue(e.getMessage().contains("not executable"), e.getMessage());
    }

    @Test
    void badBindMountSource() throws Exception {
        Spec spec = h.spec("/bin/true");
        List<Mount> mounts = new ArrayList<>(spec.mounts());
        mounts.add(new Mount("/data", "bind", "/nonexistent/source", List.of("rbind")));
        var e = fails(spec.withMounts(mounts), "mounts[" + (mounts.size() - 1) + "]");
        assertEquals("mounts[7]: mount /nonexistent/source on /data: ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void badFileSystemType() throws Exception {
        Spec spec = h.spec("/bin/true");
        List<Mount> mounts = new ArrayList<>(spec.mounts());
        mounts.add(1, new Mount("/x", "nosuchfs", "none", List.of()));
        var e = fails(spec.withMounts(mounts), "mounts[1]");
        assertTrue(e.getMessage().contains("ENODEV"), e.getMessage());
    }

    @Test
    void unknownNamespaceType() throws Exception {
        Spec spec = h.spec("/bin/true");
        List<Namespace> ns = new ArrayList<>(spec.linux().namespaces());
        ns.add(new Namespace("bogus", null));
        var e = fails(spec.withLinux(spec.linux().withNamespaces(ns)), "linux.namespaces[6].type");
        assertTrue(e.getMessage().contains("unknown namespace type: bogus"), e.getMessage());
    }

    @Test
    void namespacePathThatDoesNotExist() throws Exception {
        Spec spec = h.spec("/bin/true");
        List<Namespace> ns = new ArrayList<>(spec.linux().namespaces());
        ns.set(1, new Namespace("network", "/proc/999999999/ns/net"));
        var e = fails(spec.withLinux(spec.linux().withNamespaces(ns)), "linux.namespaces[1].path");
        assertEquals("linux.namespaces[1].path: open namespace /proc/999999999/ns/net: ENOENT (No such file or directory)",
                e.getMessage());
    }

    @Test
    void namespacePathOfTheWrongType() throws Exception {
        Spec spec = h.spec("/bin/true");
        List<Namespace> ns = new ArrayList<>(spec.linux().namespaces());
        ns.set(1, new Namespace("network", "/proc/self/ns/uts"));
        var e = fails(spec.withLinux(spec.linux().withNamespaces(ns)), "linux.namespaces[1]");
        assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
    }

    @Test
    void idMappingsTheKernelRefuses() throws Exception {
        Spec spec = h.spec("/bin/true");
        LinuxSpec l = spec.linux();
        List<Namespace> ns = new ArrayList<>(l.namespaces());
        ns.add(new Namespace("user", null));
        // overlapping ranges
        var e = fails(withLinux(spec, () -> new LinuxSpec(ns, List.of(new IdMapping(0, 100000, 10),
                new IdMapping(5, 200000, 10)), List.of(new IdMapping(0, 100000, 10)), null, null, null, null, null,
                l.maskedPaths(), l.readonlyPaths(), null, null, null)), "linux.uidMappings");
        assertTrue(e.getMessage().contains("0 100000 10, 5 200000 10"), e.getMessage());
    }

    @Test
    void cwdThatIsAFile() throws Exception {
        Spec spec = h.spec("/bin/true");
        ProcessSpec p = spec.process();
        var e = fails(spec.withProcess(new ProcessSpec(false, null, p.user(), p.args(), p.env(), "/etc/passwd",
                p.capabilities(), p.rlimits(), true, null, null, null)), "process.cwd");
        assertTrue(e.getMessage().contains("ENOTDIR") || e.getMessage().contains("EEXIST"), e.getMessage());
    }

    @Test
    void effectiveCapabilitiesOutsidePermitted() throws Exception {
        Spec spec = h.spec("/bin/true");
        ProcessSpec p = spec.process();
        var e = fails(spec.withProcess(new ProcessSpec(false, null, p.user(), p.args(), p.env(), p.cwd(),
                new Capabilities(List.of("CAP_KILL"), List.of("CAP_KILL", "CAP_CHOWN"), null, List.of("CAP_KILL"), null),
                p.rlimits(), true, null, null, null)), "process.capabilities");
        assertTrue(e.getMessage().contains("EPERM"), e.getMessage());
    }
}
