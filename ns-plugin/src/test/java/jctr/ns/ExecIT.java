package jctr.ns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;
import jctr.kernel.oci.Capabilities;
import jctr.kernel.oci.IdMapping;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Seccomp;
import jctr.kernel.oci.SeccompSyscall;
import jctr.kernel.oci.Spec;
import jctr.kernel.oci.User;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ExecRequest;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.Stdio;
import jctr.kernel.sys.ExitStatus;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.UnixSockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** exec: a second process joins a running container's namespaces, cgroups and seccomp filter. */
class ExecIT extends WithContainerHarness {

    private ContainerHarness.Result exec(IsolatedProcess target, ProcessSpec process) {
        Path out = dir.resolve("exec-" + System.nanoTime());
        IsolatedProcess p = h.driver.exec(target, new ExecRequest(process, new Stdio.Files(null, out, out)));
        h.track(p);
        return new ContainerHarness.Result(h.waitFor(p), ContainerHarness.read(out));
    }

    private static ProcessSpec sh(String script) {
        return TestSpecs.process("/bin/sh", "-c", script);
    }

    @Test
    void joinsThePidMountUtsAndNetworkNamespaces() throws Exception {
        var init = h.background(h.spec("/bin/sh", "-c", "touch /tmp/ready; exec sleep 60"));
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), init);
        var r = exec(init.process(), sh("echo pid=$$; hostname; ps -o pid,comm | grep sleep; cat /proc/net/dev | grep -c :;"
                + " ls /tmp/ready"));
        assertEquals(ExitStatus.exited(0), r.status(), r.output());
        List<String> lines = r.output().lines().toList();
        assertTrue(!lines.get(0).equals("pid=1") && lines.get(0).startsWith("pid="), r.output());
        assertEquals("jctr-test", lines.get(1));
        assertTrue(lines.get(2).trim().matches("1\\s+sleep"), r.output());
        assertEquals("1", lines.get(3), "only lo: " + r.output());
        assertEquals("/tmp/ready", lines.get(4));
    }

    @Test
    void getsItsOwnUserCapabilitiesAndCwd() throws Exception {
        var init = h.background(h.spec("/bin/sh", "-c", "touch /tmp/ready; exec sleep 60"));
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), init);
        ProcessSpec p = new ProcessSpec(false, null, new User(1000, 1000, null, List.of(5L), null),
                List.of("/bin/sh", "-c", "id; pwd; grep -E 'CapEff|CapBnd|NoNewPrivs' /proc/self/status"), List.of("PATH=/bin"),
                "/var/exec-cwd", new Capabilities(List.of("CAP_KILL"), List.of("CAP_KILL"), List.of("CAP_KILL"),
                List.of("CAP_KILL"), List.of("CAP_KILL")), null, true, null, null, null);
        Files.createDirectories(h.rootfs.resolve("var/exec-cwd"));
        var r = exec(init.process(), p);
        assertEquals("uid=1000 gid=1000 groups=5\n/var/exec-cwd\nCapEff:\t0000000000000020\nCapBnd:\t0000000000000020\n"
                + "NoNewPrivs:\t1\n", r.output());
    }

    @Test
    void joinsTheContainersCgroup() throws Exception {
        Path pids = Path.of("/sys/fs/cgroup/pids");
        Assumptions.assumeTrue(Files.isDirectory(pids));
        Path cg = Cgroups.create(pids);
        try {
            CgroupHandle handle = new CgroupHandle("test", "/" + pids.relativize(cg), null,
                    List.of(cg.resolve("cgroup.procs").toString()), null);
            var init = h.background(h.spec("/bin/sh", "-c", "touch /tmp/ready; exec sleep 60"), handle);
            ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), init);
            var r = exec(init.process(), sh("grep pids /proc/self/cgroup"));
            // inside the container's cgroup namespace its cgroup is the root
            assertTrue(r.output().matches("\\d+:pids:/\n"), r.output());
            h.kill(init.process());
        } finally {
            Cgroups.remove(cg);
        }
    }

    @Test
    void joinsAUserNamespace() throws Exception {
        Spec base = h.spec("/bin/sh", "-c", "touch /tmp/ready; exec sleep 60");
        LinuxSpec l = base.linux();
        List<Namespace> ns = new ArrayList<>(l.namespaces());
        ns.add(new Namespace("user", null));
        Spec spec = base.withLinux(new LinuxSpec(ns, List.of(new IdMapping(0, 100000, 65536)),
                List.of(new IdMapping(0, 100000, 65536)), null, null, null, null, null, l.maskedPaths(),
                l.readonlyPaths(), null, null, null));
        var init = h.background(spec);
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), init);
        Path out = dir.resolve("userns-exec");
        IsolatedProcess p = h.driver.exec(init.process(), new ExecRequest(sh("id -u; sleep 5"),
                new Stdio.Files(null, out, out)));
        h.track(p);
        String status = Files.readString(Path.of("/proc/" + p.pid() + "/status"));
        assertTrue(status.lines().anyMatch(line -> line.matches("Uid:\\s+100000\\s+100000\\s+100000\\s+100000")), status);
        h.kill(p);
        assertEquals("0\n", ContainerHarness.read(out));
    }

    @Test
    void inheritsTheContainersSeccompFilter() throws Exception {
        Spec base = h.spec("/bin/sh", "-c", "touch /tmp/ready; exec sleep 60");
        Spec spec = base.withLinux(base.linux().withSeccomp(new Seccomp("SCMP_ACT_ALLOW", null, null, null, null, null,
                List.of(new SeccompSyscall(List.of("mkdir", "mkdirat"), "SCMP_ACT_ERRNO", null, null)))));
        var init = h.background(spec);
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), init);
        var r = exec(init.process(), sh("mkdir /tmp/x"));
        assertEquals(ExitStatus.exited(1), r.status());
        assertTrue(r.output().contains("Operation not permitted"), r.output());
    }

    @Test
    void aTerminalForTheExecdProcess() throws Exception {
        var init = h.background(h.spec("/bin/sh", "-c", "touch /tmp/ready; exec sleep 60"));
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), init);
        Path socket = dir.resolve("exec-console.sock");
        int listenFd = UnixSockets.listen(socket, 1);
        try {
            Spec tty = TerminalIT.terminal(h.spec("/bin/sh", "-c", "tty; stty size"));
            IsolatedProcess p = h.driver.exec(init.process(), new ExecRequest(tty.process(), new Stdio.ConsoleSocket(socket)));
            h.track(p);
            int master = TerminalIT.receiveMaster(listenFd);
            try {
                String out = TerminalIT.readAll(master);
                assertTrue(out.contains("/dev/pts/"), out);
                assertTrue(out.contains("30 100"), out);
            } finally {
                PosixFiles.close(master);
            }
            assertEquals(ExitStatus.exited(0), h.waitFor(p));
        } finally {
            PosixFiles.close(listenFd);
        }
    }

    @Test
    void errorsNameTheFieldOrTheMissingContainer() throws Exception {
        var init = h.background(h.spec("/bin/sh", "-c", "touch /tmp/ready; exec sleep 60"));
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), init);
        long children = ProcessHandle.current().children().count();
        var e = assertThrows(InvalidConfigException.class, () -> h.driver.exec(init.process(),
                new ExecRequest(TestSpecs.process("nope"), Stdio.inherit())));
        assertEquals("process.args[0]", e.field());
        assertEquals(children, ProcessHandle.current().children().count(), "the failed exec left a process");
        h.kill(init.process());
        assertThrows(NotFoundException.class, () -> h.driver.exec(init.process(),
                new ExecRequest(TestSpecs.process("/bin/true"), Stdio.inherit())));
    }

    @Test
    void theExecdProcessCanBeWaitedForAndReportsItsExitCode() {
        var init = h.background(h.spec("/bin/sh", "-c", "touch /tmp/ready; exec sleep 60"));
        ContainerHarness.awaitFile(h.rootfs.resolve("tmp/ready"), init);
        assertEquals(ExitStatus.exited(42), exec(init.process(), sh("exit 42")).status());
    }
}
