package jctr.mgmt.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import jctr.kernel.image.Descriptor;
import jctr.kernel.image.LocalRegistry;
import jctr.kernel.image.TestImages;
import jctr.kernel.testing.BusyboxRootfs;
import jctr.kernel.testing.RootOnly;
import jctr.mgmt.testing.DockerCli;
import jctr.mgmt.testing.TestDaemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The stock docker CLI (28.2.2) against jctr, end to end: the commands of docker-engine-api.md and the
 * tutorial's experiments, with busybox (pushed by skopeo into a local docker-registry, pulled with
 * {@code docker pull}) standing in for ubuntu. Every test removes its containers and volumes.
 */
class DockerCliIT {

    static Path work;
    static LocalRegistry registry;
    static TestDaemon daemon;
    static DockerCli docker;
    static String remote;

    @BeforeAll
    static void start() throws Exception {
        RootOnly.assumeRoot();
        assumeTrue(DockerCli.available(), "docker CLI not installed");
        LocalRegistry.assumeTools();
        work = Files.createTempDirectory(Path.of("/tmp"), "jctr-cli-");
        registry = LocalRegistry.start(work.resolve("registry"), null);
        TestImages.Layout layout = new TestImages.Layout(work.resolve("layout"));
        byte[] rootfs = jctr.kernel.testing.LayerTar.ofDirectory(BusyboxRootfs.create(work.resolve("rootfs")));
        layout.image(List.of(rootfs), true, List.of("sh"), Map.of(Descriptor.REF_NAME, "busybox"));
        registry.push(layout.dir(), "busybox", "busybox:latest", null);
        daemon = TestDaemon.start();
        docker = new DockerCli(daemon);
        remote = registry.hostPort() + "/busybox";
        DockerCli.Result pull = docker.run("pull", remote);
        assertEquals(0, pull.exit(), pull.toString());
        assertTrue(pull.out().contains("Pull complete") && pull.out().contains("Downloaded newer image"), pull.toString());
        DockerCli.Result tag = docker.run("tag", remote, "busybox");
        assertEquals(0, tag.exit(), tag.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (daemon != null) {
                DockerCli.Result ids = docker.run("ps", "-aq");
                for (String id : ids.out().split("\\s+")) {
                    if (!id.isBlank()) {
                        docker.run("rm", "-f", id);
                    }
                }
                daemon.close();
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
            if (work != null) {
                TestDaemon.deleteTree(work);
            }
        }
    }

    @AfterEach
    void cleanUp() {
        if (daemon == null) {
            return;
        }
        DockerCli.Result ids = docker.run("ps", "-aq");
        for (String id : ids.out().split("\\s+")) {
            if (!id.isBlank()) {
                docker.run("rm", "-f", "-v", id);
            }
        }
        docker.run("volume", "prune", "-af");
        docker.run("tag", remote, "busybox");
    }

    private static DockerCli.Result ok(String... args) {
        DockerCli.Result r = docker.run(args);
        assertEquals(0, r.exit(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private static DockerCli.Result script(String command, String input) {
        return docker.exec(List.of("script", "-qec", command, "/dev/null"), input);
    }

    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    // ------------------------------------------------------------------------------------------ run

    @Test
    void runEchoesAndRemoves() {
        DockerCli.Result r = ok("run", "--rm", "busybox", "echo", "hi");
        assertEquals("hi\n", r.out());
        assertEquals("", docker.run("ps", "-aq").out().trim(), "--rm removed it");
    }

    @Test
    void exitCodesComeThrough() {
        assertEquals(3, docker.run("run", "--rm", "busybox", "sh", "-c", "exit 3").exit());
        DockerCli.Result r = docker.run("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 0");
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err());
    }

    @Test
    void aMissingCommandExits127WithoutHanging() {
        DockerCli.Result r = docker.run("run", "--rm", "busybox", "nosuchcmd");
        assertEquals(127, r.exit(), r.toString());
        assertTrue(r.err().contains("executable file not found"), r.toString());
        assertEquals("", docker.run("ps", "-aq").out().trim());
    }

    @Test
    void stdinIsStreamedAndClosedAtItsEnd() {
        DockerCli.Result r = docker.runWithInput("file1 and file2\nfileX\n", "run", "-i", "--rm", "busybox", "sed",
                "s/file./file!/g");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("file! and file!\nfile!\n", r.out());
        String text = "This string is just long enough to trigger a line break in GNU base64.\n";
        r = docker.runWithInput(text, "run", "-i", "--rm", "busybox", "base64");
        String b64 = java.util.Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(b64.substring(0, 76) + "\n" + b64.substring(76) + "\n", r.out(), r.toString());
    }

    @Test
    void aTerminalWorksThroughAPty() {
        DockerCli.Result r = script("docker run -it --rm busybox sh -c 'tty; echo cols=$(stty size); exit 5'", "");
        assertEquals(5, r.exit(), r.toString());
        assertTrue(r.out().contains("/dev/pts/0"), r.toString());
        r = script("docker run -it --rm busybox", "echo $((6*7))\nexit 2\n");
        assertTrue(r.out().contains("42"), r.toString());
        assertEquals(2, r.exit(), r.toString());
    }

    @Test
    void portPublishingIsRefusedClearly() {
        DockerCli.Result r = docker.run("run", "--rm", "-p", "8080:80", "busybox", "true");
        assertEquals(125, r.exit(), r.toString());
        assertTrue(r.err().contains("port publishing"), r.toString());
    }

    @Test
    void resourceFlagsReachTheSpecAndTheCgroup() {
        String id = ok("run", "-d", "--memory=512m", "--cpus=1", "--pids-limit=64", "--cpu-shares=512", "busybox", "sleep",
                "30").out().trim();
        DockerCli.Result i = ok("inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}", id);
        assertEquals("536870912 1000000000 64", i.out().trim());
        DockerCli.Result mem = ok("exec", id, "sh", "-c",
                "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes");
        assertEquals("536870912", mem.out().trim());
        assertEquals("512\n64\n100000 100000\n", ok("exec", id, "sh", "-c", "cat /sys/fs/cgroup/cpu/cpu.shares "
                + "/sys/fs/cgroup/pids/pids.max; echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us)")
                .out());
        DockerCli.Result e = ok("exec", "-e", "X=1", "-w", "/tmp", "-u", "1000", id, "sh", "-c", "echo $X $(pwd) $(id -u)");
        assertEquals("1 /tmp 1000\n", e.out());
        DockerCli.Result tty = docker.exec(List.of("script", "-qec", "docker exec -it " + id + " sh", "/dev/null"),
                List.of("tty; echo $((3*4))\n", "exit 6\n"), 1500);
        assertEquals(6, tty.exit(), tty.toString());
        assertTrue(tty.out().contains("/dev/pts/") && tty.out().contains("12"), tty.toString());
    }

    @Test
    void detachedContainersAreListedInspectedStoppedAndStarted() throws Exception {
        String id = ok("run", "-d", "--name", "web", "busybox", "sh", "-c",
                "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done").out().trim();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        DockerCli.Result ps = ok("ps");
        assertTrue(ps.out().contains("web") && ps.out().contains("Up "), ps.toString());
        assertEquals("running true", ok("inspect", "--format", "{{.State.Status}} {{.State.Running}}", "web").out().trim());
        eventually("logs", () -> docker.run("logs", "web").out().contains("tick 2"));
        DockerCli.Result exec = docker.run("exec", "web", "sh", "-c", "echo in $(hostname); exit 4");
        assertEquals(4, exec.exit(), exec.toString());
        assertEquals("in " + id.substring(0, 12) + "\n", exec.out());
        assertEquals(0, docker.run("stop", "-t", "1", "web").exit());
        assertTrue(ok("ps", "-a").out().contains("Exited (137)"), ok("ps", "-a").out());
        assertFalse(ok("ps").out().contains("web"));
        assertEquals(0, docker.run("start", "web").exit());
        assertEquals("true", ok("inspect", "--format", "{{.State.Running}}", "web").out().trim());
        DockerCli.Result rm = docker.run("rm", "web");
        assertEquals(1, rm.exit(), "a running container is not removed without -f");
        assertTrue(rm.err().contains("cannot remove a running container") || rm.err().contains("You cannot remove"), rm.toString());
        assertEquals(0, docker.run("rm", "-f", "web").exit());
        assertEquals(1, docker.run("inspect", "web").exit());
    }

    @Test
    void logsFollowUntilTheContainerExits() {
        String id = ok("run", "-d", "busybox", "sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.3; done").out().trim();
        DockerCli.Result f = ok("logs", "-f", id);
        assertEquals("line 1\nline 2\nline 3\n", f.out());
        assertEquals("line 3\n", ok("logs", "--tail", "1", id).out());
        assertTrue(ok("logs", "-t", id).out().matches("(?s)\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z line 1\n.*"));
    }

    @Test
    void theTutorialsNamedContainerKeepsItsFilesAcrossStarts() {
        DockerCli.Result first = script("docker run -it --name my-c busybox", "echo data > /kept\nexit\n");
        assertEquals(0, first.exit(), first.toString());
        assertTrue(ok("ps", "-a").out().contains("my-c"));
        ok("start", "my-c");
        DockerCli.Result attach = script("docker attach my-c", "cat /kept\nexit 6\n");
        assertTrue(attach.out().contains("data"), attach.toString());
        assertEquals(6, attach.exit(), attach.toString());
    }

    @Test
    void writesOutsideVolumesDoNotSurviveTheContainer() {
        ok("run", "--rm", "busybox", "sh", "-c", "mkdir /my-data && echo hello > /my-data/hello.txt");
        DockerCli.Result r = docker.run("run", "--rm", "busybox", "cat", "/my-data/hello.txt");
        assertEquals(1, r.exit(), r.toString());
    }

    @Test
    void volumeDataSurvivesContainerRemoval() {
        ok("volume", "create", "my-volume");
        ok("run", "--rm", "--mount", "source=my-volume,destination=/my-data/", "busybox", "sh", "-c",
                "echo 'Hello from the container!' > /my-data/hello.txt");
        assertEquals("Hello from the container!\n",
                ok("run", "--rm", "-v", "my-volume:/my-data", "busybox", "cat", "/my-data/hello.txt").out());
        assertTrue(ok("volume", "ls").out().contains("my-volume"));
        String mountpoint = ok("volume", "inspect", "--format", "{{.Mountpoint}}", "my-volume").out().trim();
        assertTrue(Files.exists(Path.of(mountpoint, "hello.txt")));
        String id = ok("run", "-d", "-v", "my-volume:/my-data", "busybox", "sleep", "30").out().trim();
        DockerCli.Result busy = docker.run("volume", "rm", "my-volume");
        assertEquals(1, busy.exit());
        assertTrue(busy.err().contains("volume is in use"), busy.toString());
        ok("rm", "-f", id);
        ok("volume", "rm", "my-volume");
        assertFalse(Files.exists(Path.of(mountpoint)));
    }

    @Test
    void aNamedVolumeIsCreatedOnFirstUse() {
        ok("run", "--rm", "-v", "auto-vol:/d", "busybox", "touch", "/d/x");
        assertTrue(ok("volume", "ls", "-q").out().contains("auto-vol"));
        ok("volume", "rm", "auto-vol");
    }

    @Test
    void bindMountsAreVisibleOnTheHost() throws Exception {
        Path data = Files.createDirectories(work.resolve("my-data"));
        ok("run", "--rm", "-v", data + ":/my-data", "busybox", "sh", "-c", "echo 'Hello from the container!' > /my-data/hello.txt");
        assertEquals("Hello from the container!\n", Files.readString(data.resolve("hello.txt")));
        ok("run", "--rm", "--mount", "type=bind,source=" + data + ",destination=/my-data,readonly", "busybox", "cat",
                "/my-data/hello.txt");
        DockerCli.Result ro = docker.run("run", "--rm", "--mount", "type=bind,source=" + data + ",target=/d,readonly",
                "busybox", "touch", "/d/y");
        assertEquals(1, ro.exit(), "read-only bind");
        DockerCli.Result missing = docker.run("run", "--rm", "--mount", "type=bind,source=" + work.resolve("nope")
                + ",target=/d", "busybox", "true");
        assertEquals(125, missing.exit());
        assertTrue(missing.err().contains("bind source path does not exist"), missing.toString());
    }

    @Test
    void tmpfsIsMountedAndGoneAfterExit() {
        DockerCli.Result r = ok("run", "--rm", "--tmpfs", "/t", "--mount", "type=tmpfs,destination=/u,tmpfs-size=1m",
                "busybox", "sh", "-c", "grep -E ' /(t|u) ' /proc/mounts; echo x > /t/f; df -k /u | tail -1");
        assertTrue(r.out().contains("tmpfs /t tmpfs") && r.out().contains("tmpfs /u tmpfs"), r.toString());
        assertTrue(r.out().matches("(?s).*\\s1024\\s.*"), r.toString());
    }

    @Test
    void envWorkdirUserHostnameAndLabels() throws Exception {
        Path envFile = work.resolve("env.list");
        Files.writeString(envFile, "FROM_FILE=yes\n# comment\n");
        DockerCli.Result r = ok("run", "--rm", "-e", "A=B", "--env-file", envFile.toString(), "-w", "/tmp", "-u", "1000:1000",
                "-h", "myhost", "--label", "x=y", "busybox", "sh", "-c", "echo $A $FROM_FILE $(pwd) $(id -u):$(id -g) $(hostname)");
        assertEquals("B yes /tmp 1000:1000 myhost\n", r.out());
    }

    @Test
    void securityOptionsApply() {
        assertEquals("0\n", ok("run", "--rm", "--cap-drop", "ALL", "busybox", "sh", "-c",
                "grep CapEff /proc/self/status | awk '{print $2}' | sed 's/^0*//;s/^$/0/'").out());
        assertTrue(ok("run", "--rm", "--security-opt", "no-new-privileges", "busybox", "grep", "NoNewPrivs",
                "/proc/self/status").out().contains("1"));
        assertTrue(ok("run", "--rm", "busybox", "grep", "Seccomp:", "/proc/self/status").out().contains("2"),
                "Docker's default seccomp profile is on");
        assertTrue(ok("run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "grep", "Seccomp:",
                "/proc/self/status").out().contains("0"));
        assertEquals(1, docker.run("run", "--rm", "--read-only", "busybox", "touch", "/x").exit());
    }

    @Test
    void networkIsLoopbackOnlyOrTheHosts() {
        String own = ok("run", "--rm", "busybox", "cat", "/proc/net/dev").out();
        assertTrue(own.contains("lo:") && own.lines().count() == 3, own);
        String host = ok("run", "--rm", "--network", "host", "busybox", "cat", "/proc/net/dev").out();
        assertTrue(host.lines().count() > 3, host);
    }

    @Test
    void restartPoliciesRestart() throws Exception {
        String id = ok("run", "-d", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 1").out().trim();
        eventually("two restarts", () -> docker.run("inspect", "--format", "{{.RestartCount}} {{.State.Status}}", id)
                .out().trim().equals("2 exited"));
        String always = ok("run", "-d", "--restart", "always", "busybox", "sh", "-c", "sleep 0.2").out().trim();
        eventually("a restart", () -> Integer.parseInt(docker.run("inspect", "--format", "{{.RestartCount}}", always)
                .out().trim()) >= 1);
        ok("stop", always);
        assertEquals("exited", ok("inspect", "--format", "{{.State.Status}}", always).out().trim());
    }

    @Test
    void waitKillPauseAndStats() {
        String id = ok("run", "-d", "busybox", "sleep", "60").out().trim();
        CompletableFuture<DockerCli.Result> waited = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> waited.complete(docker.run("wait", id)));
        ok("pause", id);
        assertEquals("paused", ok("inspect", "--format", "{{.State.Status}}", id).out().trim());
        ok("unpause", id);
        DockerCli.Result stats = ok("stats", "--no-stream", id);
        assertTrue(stats.out().contains(id.substring(0, 12)), stats.toString());
        ok("kill", "-s", "KILL", id);
        assertEquals("137\n", waited.join().out());
    }

    @Test
    void eventsTellTheContainersLife() {
        long since = System.currentTimeMillis() / 1000 - 1;
        assertEquals(7, docker.run("run", "--rm", "busybox", "sh", "-c", "exit 7").exit());
        long until = System.currentTimeMillis() / 1000 + 1;
        DockerCli.Result ev = ok("events", "--since", Long.toString(since), "--until", Long.toString(until),
                "--filter", "type=container");
        for (String action : List.of("create", "start", "die", "destroy")) {
            assertTrue(ev.out().contains("container " + action), action + " in\n" + ev.out());
        }
        assertTrue(ev.out().contains("exitCode=7"), ev.out());
    }

    @Test
    void imagesSaveLoadAndRemoval() throws Exception {
        assertTrue(ok("images").out().contains("busybox"));
        DockerCli.Result df = ok("system", "df");
        assertTrue(df.out().contains("Images") && df.out().contains("Local Volumes"), df.toString());
        Path tar = work.resolve("busybox.tar");
        ok("save", "-o", tar.toString(), "busybox");
        assertTrue(Files.size(tar) > 100_000);
        DockerCli.Result load = ok("load", "-i", tar.toString());
        assertTrue(load.out().contains("Loaded image"), load.toString());
        String id = ok("run", "-d", "busybox", "sleep", "30").out().trim();
        String imageId = ok("inspect", "--format", "{{.Image}}", id).out().trim();
        DockerCli.Result inUse = docker.run("rmi", imageId);
        assertTrue(inUse.exit() != 0 && inUse.err().contains("in use") || inUse.err().contains("being used"),
                "an image a container uses is not deleted: " + inUse);
        ok("tag", "busybox", "extra:1");
        assertTrue(ok("rmi", "extra:1").out().contains("Untagged: extra:1"));
        ok("rm", "-f", id);
    }

    @Test
    void renameRestartTopAndPrune() {
        String id = ok("run", "-d", "--name", "old-name", "busybox", "sleep", "60").out().trim();
        ok("rename", "old-name", "new-name");
        assertTrue(ok("ps").out().contains("new-name"));
        String started = ok("inspect", "--format", "{{.State.StartedAt}}", id).out();
        ok("restart", "-t", "1", "new-name");
        assertFalse(started.equals(ok("inspect", "--format", "{{.State.StartedAt}}", id).out()), "a new run");
        assertTrue(ok("top", id).out().contains("sleep 60"));
        ok("stop", "-t", "1", id);
        DockerCli.Result prune = ok("container", "prune", "-f");
        assertTrue(prune.out().contains(id), prune.toString());
        assertEquals(1, docker.run("inspect", id).exit());
    }

    @Test
    void detachingLeavesTheContainerRunning() {
        ok("run", "-dit", "--name", "det", "busybox", "sh");
        DockerCli.Result r = docker.exec(List.of("script", "-qec", "docker attach det", "/dev/null"),
                List.of("echo in-attach\n", "\u0010\u0011"), 1500);
        assertTrue(r.out().contains("read escape sequence") || r.out().contains("in-attach"), r.toString());
        assertEquals("true", ok("inspect", "--format", "{{.State.Running}}", "det").out().trim());
    }

    @Test
    void buildMakesAnImageFromADockerfile() throws Exception {
        DockerCli.Result b = docker.runWithInput("""
                FROM busybox
                ARG GREETING=hello
                ENV WHO=world
                RUN echo "$GREETING $WHO" > /greeting && mkdir /work
                WORKDIR /work
                CMD cat /greeting; pwd
                """, "build", "--tag", "my-built-image", "-");
        assertEquals(0, b.exit(), b.toString());
        assertTrue(b.out().contains("Successfully tagged my-built-image:latest"), b.toString());
        assertEquals("hello world\n/work\n", ok("run", "--rm", "my-built-image").out());
        Path ctx = Files.createDirectories(work.resolve("ctx/sub"));
        Files.writeString(ctx.getParent().resolve("a.txt"), "one\n");
        Files.writeString(ctx.resolve("b.txt"), "two\n");
        Files.writeString(ctx.getParent().resolve("Dockerfile"), "FROM busybox\nCOPY a.txt /app/\nCOPY sub /app/sub\n"
                + "CMD [\"cat\", \"/app/a.txt\", \"/app/sub/b.txt\"]\n");
        DockerCli.Result q = ok("build", "-q", "-t", "copied", ctx.getParent().toString());
        assertTrue(q.out().trim().matches("sha256:[0-9a-f]{64}"), q.toString());
        assertEquals("one\ntwo\n", ok("run", "--rm", "copied").out());
        DockerCli.Result bad = docker.runWithInput("FROM busybox\nRUN exit 3\n", "build", "-t", "bad", "-");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("returned a non-zero code: 3"), bad.toString());
        ok("rmi", "my-built-image", "copied");
    }

    @Test
    void theEngineRestartsUnderARunningContainer() throws Exception {
        String id = ok("run", "-d", "--name", "survivor", "busybox", "sh", "-c",
                "i=0; while true; do echo beat $i; i=$((i+1)); sleep 0.2; done").out().trim();
        eventually("first beats", () -> docker.run("logs", id).out().contains("beat 1"));
        daemon.restart();
        assertTrue(ok("ps").out().contains("survivor"), "still running after the engine restart");
        int before = docker.run("logs", id).out().split("\n").length;
        eventually("logs continue", () -> docker.run("logs", id).out().split("\n").length > before + 2);
        ok("stop", "-t", "1", id);
        assertTrue(ok("ps", "-a").out().contains("Exited"));
    }
}
