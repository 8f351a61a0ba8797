package jctr.ns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.Spec;
import jctr.kernel.spi.Stdio;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.testing.MountTable;
import jctr.kernel.testing.RootOnly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Namespaces joined by path ({@code linux.namespaces[].path}) with what the config asks of them. */
class JoinedNamespacesIT {

    @TempDir
    Path dir;
    ContainerHarness h;
    /** Processes holding namespaces made for a test (util-linux unshare); killed after each test. */
    private final List<Process> holders = new ArrayList<>();

    @BeforeEach
    void setUp() {
        RootOnly.assumeRoot();
        h = new ContainerHarness(dir);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Process p : holders) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (h != null) {
            h.close();
        }
    }

    /** The default namespaces with {@code type} joined at {@code path} instead of made new. */
    private static Spec joining(Spec spec, String type, String path) {
        List<Namespace> ns = new ArrayList<>();
        for (Namespace n : spec.linux().namespaces()) {
            ns.add(n.type().equals(type) ? new Namespace(type, path) : n);
        }
        return spec.withLinux(spec.linux().withNamespaces(ns));
    }

    private static String nsLink(long pid, String type) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + type)).toString();
    }

    /** A sleeping process in new namespaces of its own (unshare flags), once it is in them. */
    private Process holder(String nsType, String... unshareFlags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("unshare"));
        cmd.addAll(List.of(unshareFlags));
        cmd.addAll(List.of("sleep", "600"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        holders.add(p);
        String own = nsLink(ProcessHandle.current().pid(), nsType);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (nsLink(p.pid(), nsType).equals(own)) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "unshare did not enter a new " + nsType + " namespace");
            Thread.sleep(10);
        }
        return p;
    }

    @Test
    void hostnameIsSetInAJoinedUtsNamespace() throws Exception {
        String hostName = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        Process uts = holder("uts", "--uts");
        Spec base = joining(h.spec("/bin/sh", "-c", "hostname; cat /proc/sys/kernel/domainname"), "uts",
                "/proc/" + uts.pid() + "/ns/uts");
        Spec spec = new Spec(base.ociVersion(), base.process(), base.root(), "joined-name", "joined.example",
                base.mounts(), null, base.annotations(), base.linux());
        var r = h.run(spec);
        assertEquals(ExitStatus.exited(0), r.status(), r.output());
        assertEquals("joined-name\njoined.example\n", r.output());
        // the joined namespace keeps the names; the host's are untouched
        Process seen = new ProcessBuilder("nsenter", "--target", Long.toString(uts.pid()), "--uts", "hostname")
                .redirectErrorStream(true).start();
        assertEquals("joined-name", new String(seen.getInputStream().readAllBytes()).trim());
        assertEquals(0, seen.waitFor());
        assertEquals(hostName, Files.readString(Path.of("/proc/sys/kernel/hostname")).trim());
    }

    @Test
    void aJoinedMountNamespaceGetsTheContainersRootFileSystem() throws Exception {
        Process mnt = holder("mnt", "--mount", "--propagation", "private");
        Files.writeString(h.rootfs.resolve("marker"), "rootfs\n");
        List<String> hostBefore = MountTable.under(dir, Path.of("/mnt"));
        Spec spec = joining(h.spec("/bin/sh", "-c", "cat /marker; readlink /proc/self/ns/mnt; touch /tmp/ready;"
                + " sleep 60"), "mount", "/proc/" + mnt.pid() + "/ns/mnt");
        var b = h.background(spec);
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), b);
        List<String> lines = b.output().lines().toList();
        assertEquals("rootfs", lines.get(0), b.output());
        // the container is in the namespace it was given, not in a new one and not in the host's
        String joined = nsLink(mnt.pid(), "mnt");
        assertEquals(joined, lines.get(1), b.output());
        assertEquals(joined, nsLink(b.process().pid(), "mnt"));
        assertNotEquals(joined, nsLink(ProcessHandle.current().pid(), "mnt"));
        // its mounts (rootfs bind, /proc, /dev...) live in that namespace, not on the host
        assertEquals(hostBefore, MountTable.under(dir, Path.of("/mnt")));
        h.kill(b.process());
        assertEquals(hostBefore, MountTable.under(dir, Path.of("/mnt")));
    }

    @Test
    void aPathThatIsNotAMountNamespaceFailsNamingTheField() throws Exception {
        Process uts = holder("uts", "--uts");
        Spec spec = joining(h.spec("/bin/true"), "mount", "/proc/" + uts.pid() + "/ns/uts");
        var e = assertThrows(InvalidConfigException.class, () -> h.create(spec, Stdio.inherit()));
        assertEquals("linux.namespaces[4]", e.field(), e.getMessage());
        assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
    }

    @Test
    void theRuntimesOwnAndTheHostsMountNamespacesAreRefused() {
        String own = "/proc/" + ProcessHandle.current().pid() + "/ns/mnt";
        String host = "/proc/1/ns/mnt";
        // the check on its own first: a launch that got past it would pivot this JVM's root
        List<String> refused = new ArrayList<>(List.of(own));
        if (Files.isReadable(Path.of(host))) {
            refused.add(host);   // else (no ptrace access to init) the launcher cannot open it either
        }
        for (String path : refused) {
            var e = assertThrows(InvalidConfigException.class, () -> NamespaceIsolationDriver.refuseHostMountNamespace(
                    List.of(new Namespace("pid", null), new Namespace("mount", path))));
            assertEquals("linux.namespaces[1].path", e.field());
        }
        List<String> hostBefore = MountTable.under(dir, Path.of("/mnt"));
        var e = assertThrows(InvalidConfigException.class,
                () -> h.create(joining(h.spec("/bin/true"), "mount", own), Stdio.inherit()));
        assertTrue(e.getMessage().contains("is the mount namespace of this runtime"), e.getMessage());
        var viaInit = assertThrows(InvalidConfigException.class,
                () -> h.create(joining(h.spec("/bin/true"), "mount", host), Stdio.inherit()));
        assertEquals("linux.namespaces[4].path", viaInit.field(), viaInit.getMessage());
        assertEquals(hostBefore, MountTable.under(dir, Path.of("/mnt")));
    }
}
