package jctr.mgmt.engine.monitor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import jctr.kernel.config.EngineConfig;
import jctr.kernel.host.HostInfo;
import jctr.kernel.host.ProcStat;
import jctr.kernel.oci.Capabilities;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Mount;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Root;
import jctr.kernel.oci.Spec;
import jctr.kernel.oci.User;
import jctr.kernel.registry.DriverRegistry;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ExecRequest;
import jctr.kernel.spi.IsolatedProcess;
import jctr.kernel.spi.IsolationDriver;
import jctr.kernel.spi.IsolationRequest;
import jctr.kernel.spi.Stdio;
import jctr.kernel.testing.BusyboxRootfs;
import jctr.kernel.testing.RootOnly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The monitor as the namespaces driver's launch wrapper, with real containers: it becomes the parent of
 * the container init (not this JVM), holds its streams or its terminal, and records its exit status.
 */
class MonitorDriverIT {

    private Path dir;
    private IsolationDriver driver;
    private Path binary;
    private final List<Integer> pids = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        RootOnly.assumeRoot();
        dir = Files.createTempDirectory(Path.of("/tmp"), "jctr-mdi-");
        EngineConfig cfg = EngineConfig.load(null, Map.of(), Map.of("state-root", dir.resolve("state").toString(),
                "data-root", dir.resolve("data").toString()));
        DriverContext ctx = cfg.driverContext(HostInfo.detect());
        driver = DriverRegistry.load().isolation("namespaces", ctx, Map.of());
        binary = new MonitorBinary(dir.resolve("bin")).path();
    }

    @AfterEach
    void tearDown() {
        for (int pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (dir != null) {
            Monitor.deleteTree(dir);
        }
    }

    private static Spec spec(Path rootfs, boolean tty, String... args) {
        List<String> caps = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
        ProcessSpec p = new ProcessSpec(tty, null, new User(0, 0, null, null, null), List.of(args),
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"), "/",
                Capabilities.allSets(caps), List.of(), true, null, null, null);
        List<Mount> mounts = List.of(
                new Mount("/proc", "proc", "proc", List.of()),
                new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
        List<Namespace> ns = new ArrayList<>();
        for (String t : List.of("pid", "network", "ipc", "uts", "mount")) {
            ns.add(new Namespace(t, null));
        }
        LinuxSpec linux = new LinuxSpec(ns, null, null, null, null, null, null, null, null, null, null, null, null);
        return new Spec("1.0.2", p, new Root(rootfs.toString(), false), "mon-test", null, mounts, null, Map.of(), linux);
    }

    private IsolatedProcess create(String id, Monitor m, Monitor.Options o, Spec spec) throws IOException {
        Path state = dir.resolve("state").resolve(id);
        Files.createDirectories(state);
        Stdio stdio = o.tty() ? new Stdio.ConsoleSocket(m.consoleSocket()) : Stdio.inherit();
        IsolatedProcess init = driver.create(new IsolationRequest(id, spec, dir, state, null, stdio,
                new IsolationRequest.Options(false, false, m.wrapperCommand(binary, o))));
        pids.add(init.pid());
        Files.writeString(m.pidFile(), Integer.toString(init.pid()));
        return init;
    }

    private static String collect(MonitorConnection c, int[] exit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MonitorConnection.Frame f;
        while ((f = c.read()) != null) {
            if (f.type() == MonitorConnection.EXIT) {
                exit[0] = f.exitCode();
            } else {
                out.write(f.payload());
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Monitor.Exit awaitExit(Monitor m) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Monitor.Exit> e = m.exit();
            if (e.isPresent()) {
                return e.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no exit recorded");
    }

    @Test
    void theMonitorParentsTheInitAndCarriesItsStreams() throws Exception {
        Path rootfs = BusyboxRootfs.create(dir.resolve("rootfs1"));
        Monitor m = Monitor.prepare(dir.resolve("m1"));
        Monitor.Options o = new Monitor.Options(dir.resolve("c1.log"), 0, 1, false, true, 0, 0, false);
        IsolatedProcess init = create("c1", m, o, spec(rootfs, false, "/bin/sh", "-c",
                "echo started; read x; echo got $x; echo err >&2; exit 7"));
        int parent = ProcStat.read(init.pid()).orElseThrow().parentPid();
        assertEquals(m.pid().orElseThrow(), parent, "the monitor is the init's parent");
        assertNotEquals(ProcessHandle.current().pid(), (long) parent);
        try (MonitorConnection c = m.connect()) {
            driver.start(init);
            c.stdin(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.UTF_8)));
            int[] exit = {-1};
            String out = collect(c, exit);
            assertEquals("started\ngot hello\nerr\n", out);
            assertEquals(7, exit[0]);
        }
        assertEquals(7, awaitExit(m).code());
        assertTrue(Files.readString(dir.resolve("c1.log")).contains("{\"log\":\"got hello\\n\",\"stream\":\"stdout\""));
    }

    @Test
    void aTerminalComesThroughTheConsoleSocket() throws Exception {
        Path rootfs = BusyboxRootfs.create(dir.resolve("rootfs2"));
        Monitor m = Monitor.prepare(dir.resolve("m2"));
        Monitor.Options o = new Monitor.Options(dir.resolve("c2.log"), 0, 1, true, true, 24, 91, false);
        IsolatedProcess init = create("c2", m, o, spec(rootfs, true, "/bin/sh"));
        try (MonitorConnection c = m.connect()) {
            driver.start(init);
            c.stdin(ByteBuffer.wrap("stty size; tty; exit 4\n".getBytes(StandardCharsets.UTF_8)));
            int[] exit = {-1};
            String out = collect(c, exit);
            assertTrue(out.contains("24 91"), out);
            assertTrue(out.contains("/dev/pts/"), out);
            assertEquals(4, exit[0]);
        }
    }

    @Test
    void anExecRunsUnderItsOwnMonitor() throws Exception {
        Path rootfs = BusyboxRootfs.create(dir.resolve("rootfs3"));
        Monitor m = Monitor.prepare(dir.resolve("m3"));
        Monitor.Options o = new Monitor.Options(null, 0, 1, false, true, 0, 0, false);
        IsolatedProcess init = create("c3", m, o, spec(rootfs, false, "/bin/sh", "-c", "read x; exit 0"));
        driver.start(init);
        Monitor em = Monitor.prepare(dir.resolve("x3"));
        Monitor.Options eo = new Monitor.Options(null, 0, 1, false, false, 0, 0, true);
        ProcessSpec p = spec(rootfs, false, "/bin/sh", "-c", "echo in $(hostname); exit 9").process();
        IsolatedProcess exec = driver.exec(init, new ExecRequest(p, Stdio.inherit(), em.wrapperCommand(binary, eo)));
        pids.add(exec.pid());
        Files.writeString(em.pidFile(), Integer.toString(exec.pid()));
        try (MonitorConnection c = em.connect()) {
            int[] exit = {-1};
            assertEquals("in mon-test\n", collect(c, exit), "output held until the client attached");
            assertEquals(9, exit[0]);
        }
        try (MonitorConnection c = m.connect()) {
            c.closeStdin();
            int[] exit = {-1};
            collect(c, exit);
            assertEquals(0, exit[0]);
        }
    }
}
