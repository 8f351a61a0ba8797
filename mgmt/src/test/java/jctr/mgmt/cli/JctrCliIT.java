package jctr.mgmt.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import jctr.kernel.image.TestImages;
import jctr.kernel.testing.BusyboxRootfs;
import jctr.kernel.testing.LayerTar;
import jctr.kernel.testing.RootOnly;
import jctr.mgmt.testing.TestDaemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code jctr} docker-like commands as a user runs them, through {@code bin/jctr}: the first command
 * finds no daemon and starts one on demand; the rest talk to it. The test stops that daemon at the end.
 */
class JctrCliIT {

    static Path work;
    static List<String> base;

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        RootOnly.assumeRoot();
        work = Files.createTempDirectory(Path.of("/tmp"), "jctr-jcli-");
        Files.writeString(work.resolve("config.json"), "{\"driverOptions\": {\"cgroup-v1\": {\"parent\": \"" + parent()
                + "\"}, \"cgroup-v2\": {\"parent\": \"" + parent() + "\"}}}\n");
        Path root = Path.of(System.getProperty("jctr.project.root"));
        base = List.of(root.resolve("bin/jctr").toString(), "--config", work.resolve("config.json").toString(),
                "--state-root", work.resolve("state").toString(), "--data-root", work.resolve("data").toString(),
                "-H", "unix://" + work.resolve("d.sock"));
        TestImages.Layout layout = new TestImages.Layout(work.resolve("layout"));
        layout.image(List.of(LayerTar.ofDirectory(BusyboxRootfs.create(work.resolve("rootfs")))), true, List.of("sh"),
                Map.of());
        Result imp = jctr(null, "image", "import", layout.dir().toString(), "busybox");
        assertEquals(0, imp.exit(), imp.toString());
    }

    private static String parent() {
        return "jctr-test/" + work.getFileName();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (work == null) {
            return;
        }
        try {
            if (Files.exists(work.resolve("d.sock"))) {
                Result ids = jctr(null, "ps", "-aq");
                for (String id : ids.out().split("\\s+")) {
                    if (!id.isBlank()) {
                        jctr(null, "rm", "-f", "-v", id);
                    }
                }
            }
        } finally {
            Path pidFile = work.resolve("state/jctr-daemon.pid");
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid).ifPresent(p -> {
                    p.destroy();
                    p.onExit().orTimeout(60, TimeUnit.SECONDS).join();
                });
            }
            try (var h = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path c : h.toList()) {
                    Files.deleteIfExists(c.resolve(parent()));
                }
            }
            TestDaemon.deleteTree(work);
        }
    }

    static Result jctr(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(List.of(args));
        return exec(cmd, stdin);
    }

    static Result exec(List<String> cmd, String stdin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        CompletableFuture<String> out = new CompletableFuture<>();
        CompletableFuture<String> err = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> out.complete(read(p.getInputStream())));
        Thread.ofVirtual().start(() -> err.complete(read(p.getErrorStream())));
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static Result ok(String... args) throws Exception {
        Result r = jctr(null, args);
        assertEquals(0, r.exit(), String.join(" ", args) + "\n" + r);
        return r;
    }

    @Test
    void runStartsADaemonOnDemandAndBehavesLikeDockerRun() throws Exception {
        Result hi = ok("run", "--rm", "busybox", "echo", "hi");
        assertEquals("hi\n", hi.out());
        assertTrue(Files.exists(work.resolve("state/jctr-daemon.pid")), "a daemon was started on demand");
        assertEquals(3, jctr(null, "run", "--rm", "busybox", "sh", "-c", "exit 3").exit());
        Result sed = jctr("aaa\nxa\n", "run", "-i", "--rm", "busybox", "sed", "s/a/b/");
        assertEquals("baa\nxb\n", sed.out(), sed.toString());
        Result missing = jctr(null, "run", "--rm", "busybox", "nosuchcmd");
        assertEquals(127, missing.exit(), missing.toString());
        Result port = jctr(null, "run", "--rm", "-p", "8080:80", "busybox", "true");
        assertEquals(125, port.exit());
        assertTrue(port.err().contains("port publishing"), port.toString());
    }

    @Test
    void detachedContainersAreManaged() throws Exception {
        String id = ok("run", "-d", "--name", "web", "-e", "X=1", "busybox", "sh", "-c", "echo started; sleep 60").out().trim();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        assertTrue(ok("ps").out().contains("web"));
        Result exec = jctr(null, "exec", "web", "sh", "-c", "echo x=$X; exit 2");
        assertEquals(2, exec.exit(), exec.toString());
        assertEquals("x=1\n", exec.out());
        assertEquals("started\n", ok("logs", "web").out());
        assertTrue(ok("inspect", "web").out().contains("\"Running\": true"));
        ok("stop", "-t", "1", "web");
        assertTrue(ok("ps", "-a").out().contains("Exited (137)"), ok("ps", "-a").out());
        ok("start", "web");
        assertEquals(1, jctr(null, "rm", "web").exit(), "running: not removed without -f");
        ok("rm", "-f", "web");
    }

    @Test
    void volumesPersistAcrossContainers() throws Exception {
        ok("volume", "create", "jv");
        assertTrue(ok("volume", "ls").out().contains("jv"));
        ok("run", "--rm", "-v", "jv:/d", "busybox", "sh", "-c", "echo data > /d/f");
        assertEquals("data\n", ok("run", "--rm", "--mount", "source=jv,destination=/d", "busybox", "cat", "/d/f").out());
        ok("volume", "rm", "jv");
    }

    @Test
    void aTerminalWorksThroughAPty() throws Exception {
        String cmd = String.join(" ", base) + " run -it --rm busybox sh -c 'tty; exit 4'";
        Result r = exec(List.of("script", "-qec", cmd, "/dev/null"), "");
        assertEquals(4, r.exit(), r.toString());
        assertTrue(r.out().contains("/dev/pts/0"), r.toString());
    }
}
