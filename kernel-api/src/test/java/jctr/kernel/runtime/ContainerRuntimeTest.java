package jctr.kernel.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.AlreadyExistsException;
import jctr.kernel.IllegalTransitionException;
import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.KernelException.Category;
import jctr.kernel.NotFoundException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.config.EngineConfig;
import jctr.kernel.host.HostInfo;
import jctr.kernel.host.ProcStat;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.PidsResources;
import jctr.kernel.oci.State;
import jctr.kernel.registry.DriverKind;
import jctr.kernel.registry.DriverRegistry;
import jctr.kernel.spi.Stdio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime's lifecycle over test-double drivers (real host processes, no isolation, no cgroups):
 * the transition table as users meet it, persistence, hooks, cleanup after failures.
 */
class ContainerRuntimeTest {

    @TempDir
    Path tmp;

    private final ShellIsolationDriver isolation = new ShellIsolationDriver();
    private final RecordingResourceDriver resources = new RecordingResourceDriver();
    private final List<String> warnings = new ArrayList<>();
    private ContainerRuntime runtime;
    private Path stateRoot;

    @BeforeEach
    void setUp() {
        runtime = runtime("recording");
    }

    private ContainerRuntime runtime(String resourceDriver) {
        stateRoot = tmp.resolve("state");
        EngineConfig config = new EngineConfig(new EngineConfig.Drivers("shell", resourceDriver, "auto"),
                stateRoot, tmp.resolve("data"), Map.of(), null);
        DriverRegistry registry = DriverRegistry.of(Map.of(DriverKind.ISOLATION, List.of(isolation),
                DriverKind.RESOURCE, List.of(resources)));
        return new ContainerRuntime(config, HostInfo.detect(), registry, (level, msg) -> {
            synchronized (warnings) {
                warnings.add(level + " " + msg);
            }
        });
    }

    @AfterEach
    void killLeftovers() {
        for (var info : runtime.list()) {
            runtime.delete(info.state().id(), true);
        }
        assertTrue(awaitTrue(isolation::allGone), "a test left a process running");
    }

    /** A bundle with an empty rootfs and a config running {@code args}; {@code extra} is spliced into the top level. */
    private Path bundle(String name, String extra, String... args) throws IOException {
        Path b = tmp.resolve(name);
        Files.createDirectories(b.resolve("rootfs"));
        StringBuilder a = new StringBuilder();
        for (String s : args) {
            a.append(a.isEmpty() ? "" : ",").append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        Files.writeString(b.resolve("config.json"), "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                + "\"process\":{\"args\":[" + a + "],\"cwd\":\"/\"}" + (extra.isEmpty() ? "" : "," + extra) + "}");
        return b;
    }

    private static boolean awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void createDoesNotRunTheProgramUntilStart() throws IOException {
        Path marker = tmp.resolve("marker");
        Path b = bundle("b", "", "/bin/sh", "-c", "touch " + marker + "; exec sleep 60");
        State created = runtime.create("c1", b, CreateOptions.DEFAULT);
        assertEquals("created", created.status());
        assertTrue(created.pid() > 0);
        assertEquals(b.toAbsolutePath().toString(), created.bundle());
        sleepMillis(300); // give a wrongly released program time to show itself
        assertFalse(Files.exists(marker), "process.args ran before start");
        assertEquals(List.of("create /jctr/c1"), resources.calls);

        runtime.start("c1");
        assertTrue(awaitTrue(() -> Files.exists(marker)), "process.args did not run after start");
        State running = runtime.state("c1");
        assertEquals("running", running.status());
        assertEquals(created.pid(), running.pid());
    }

    @Test
    void stateTurnsStoppedWhenTheInitExitsAndStaysStoppedUntilDelete() throws IOException {
        runtime.create("c1", bundle("b", "", "/bin/true"), CreateOptions.DEFAULT);
        runtime.start("c1");
        assertTrue(awaitTrue(() -> runtime.state("c1").status().equals("stopped")));
        State stopped = runtime.state("c1");
        assertEquals(0, stopped.pid());
        // persisted: a fresh runtime over the same root sees it stopped too
        assertEquals("stopped", runtime("recording").state("c1").status());
        runtime.delete("c1", false);
        assertThrows(NotFoundException.class, () -> runtime.state("c1"));
        assertEquals(List.of("create /jctr/c1", "delete /jctr/c1"), resources.calls);
        assertFalse(Files.exists(stateRoot.resolve("c1")));
    }

    @Test
    void startIsOnlyAllowedFromCreated() throws IOException {
        runtime.create("c1", bundle("b", "", "/bin/sleep", "60"), CreateOptions.DEFAULT);
        runtime.start("c1");
        var again = assertThrows(IllegalTransitionException.class, () -> runtime.start("c1"));
        assertEquals(Category.FAILED_PRECONDITION, again.category());
        assertEquals("running", runtime.state("c1").status());

        runtime.kill("c1", Signal.KILL, false);
        assertTrue(awaitTrue(() -> runtime.state("c1").status().equals("stopped")));
        var stopped = assertThrows(IllegalTransitionException.class, () -> runtime.start("c1"));
        assertTrue(stopped.getMessage().contains("c1 is stopped"), stopped.getMessage());
    }

    @Test
    void killOfAStoppedContainerFailsAndChangesNothing() throws IOException {
        runtime.create("c1", bundle("b", "", "/bin/true"), CreateOptions.DEFAULT);
        runtime.start("c1");
        assertTrue(awaitTrue(() -> runtime.state("c1").status().equals("stopped")));
        var e = assertThrows(KernelException.class, () -> runtime.kill("c1", Signal.TERM, false));
        assertEquals(Category.FAILED_PRECONDITION, e.category());
        assertEquals("stopped", runtime.state("c1").status());
    }

    @Test
    void aCreatedContainerCanBeKilledAndThenIsStopped() throws IOException {
        State s = runtime.create("c1", bundle("b", "", "/bin/sleep", "60"), CreateOptions.DEFAULT);
        runtime.kill("c1", Signal.parse("SIGKILL"), false);
        assertTrue(awaitTrue(() -> runtime.state("c1").status().equals("stopped")));
        assertFalse(ProcStat.alive(s.pid(), 0));
    }

    @Test
    void killAllSignalsEveryPidOfTheCgroup() throws IOException {
        State s = runtime.create("c1", bundle("b", "", "/bin/sleep", "60"), CreateOptions.DEFAULT);
        resources.pids = List.of(s.pid());
        runtime.kill("c1", Signal.KILL, true);
        assertTrue(awaitTrue(() -> runtime.state("c1").status().equals("stopped")));
    }

    @Test
    void deleteWithoutForceRefusesLiveContainersAndLeavesThemIntact() throws IOException {
        State s = runtime.create("c1", bundle("b", "", "/bin/sleep", "60"), CreateOptions.DEFAULT);
        var created = assertThrows(KernelException.class, () -> runtime.delete("c1", false));
        assertEquals(Category.FAILED_PRECONDITION, created.category());
        assertEquals("created", runtime.state("c1").status());
        runtime.start("c1");
        assertThrows(KernelException.class, () -> runtime.delete("c1", false));
        assertEquals("running", runtime.state("c1").status());
        assertTrue(ProcStat.alive(s.pid(), 0));

        runtime.delete("c1", true);
        assertFalse(ProcStat.alive(s.pid(), 0));
        assertThrows(NotFoundException.class, () -> runtime.state("c1"));
        assertTrue(resources.calls.contains("delete /jctr/c1"));
    }

    @Test
    void unknownIdsAreNotFound() {
        assertThrows(NotFoundException.class, () -> runtime.state("nope"));
        assertThrows(NotFoundException.class, () -> runtime.start("nope"));
        assertThrows(NotFoundException.class, () -> runtime.kill("nope", Signal.TERM, false));
        assertThrows(NotFoundException.class, () -> runtime.delete("nope", true));
        assertThrows(InvalidConfigException.class, () -> runtime.state("../etc"));
    }

    @Test
    void aDuplicateIdIsRefusedAndTheFirstContainerIsUnharmed() throws IOException {
        State first = runtime.create("c1", bundle("b", "", "/bin/sleep", "60"), CreateOptions.DEFAULT);
        assertThrows(AlreadyExistsException.class,
                () -> runtime.create("c1", bundle("b2", "", "/bin/sleep", "60"), CreateOptions.DEFAULT));
        assertEquals(1, isolation.creates.get());
        assertEquals(first, runtime.state("c1"));
    }

    @Test
    void aMalformedConfigNamesTheJsonPathAndLeavesNothing() throws IOException {
        Path b = bundle("b", "", "/bin/true");
        Files.writeString(b.resolve("config.json"), "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                + "\"process\":{\"args\":[\"/bin/true\"],\"cwd\":\"/\",\"user\":{\"uid\":\"zero\",\"gid\":0}}}");
        var e = assertThrows(InvalidConfigException.class, () -> runtime.create("c1", b, CreateOptions.DEFAULT));
        assertEquals("process.user.uid", e.field());
        assertTrue(e.getMessage().contains(b.resolve("config.json").toString()), e.getMessage());
        assertNothingLeft();
    }

    @Test
    void aMissingRootfsIsRefusedBeforeAnythingIsMade() throws IOException {
        Path b = bundle("b", "", "/bin/true");
        Files.delete(b.resolve("rootfs"));
        var e = assertThrows(InvalidConfigException.class, () -> runtime.create("c1", b, CreateOptions.DEFAULT));
        assertEquals("root.path", e.field());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertNothingLeft();
    }

    @Test
    void unknownFieldsAreWarningsNotErrors() throws IOException {
        runtime.create("c1", bundle("b", "\"futureField\":{\"x\":1}", "/bin/sleep", "60"), CreateOptions.DEFAULT);
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("WARN") && w.contains("futureField")), warnings.toString());
    }

    @Test
    void aFailingIsolationDriverLeavesNoProcessCgroupOrState() throws IOException {
        isolation.failAfterLaunch = true;
        assertThrows(UnsupportedFeatureException.class,
                () -> runtime.create("c1", bundle("b", "", "/bin/sleep", "60"), CreateOptions.DEFAULT));
        assertEquals(List.of("create /jctr/c1", "delete /jctr/c1"), resources.calls);
        assertTrue(awaitTrue(isolation::allGone), "the launched process must be killed");
        assertNothingLeft();
    }

    @Test
    void aFailingCreateRuntimeHookFailsCreateAndCleansUp() throws IOException {
        String hooks = "\"hooks\":{\"createRuntime\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"echo nope >&2; exit 4\"]}]}";
        var e = assertThrows(HookFailedException.class,
                () -> runtime.create("c1", bundle("b", hooks, "/bin/sleep", "60"), CreateOptions.DEFAULT));
        assertEquals("hooks.createRuntime[0]", e.hook());
        assertTrue(e.getMessage().contains("exited with status 4: nope"), e.getMessage());
        assertTrue(awaitTrue(isolation::allGone));
        assertTrue(resources.calls.contains("delete /jctr/c1"));
        assertNothingLeft();
    }

    @Test
    void hooksRunAtTheirLifecyclePointsWithTheStateOnStdin() throws IOException {
        Path log = tmp.resolve("hooks.log");
        String hook = "{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"echo $0 $(cat) >> " + log + "\", \"%s\"]}";
        String hooks = "\"hooks\":{" + "\"createRuntime\":[" + hook.formatted("createRuntime") + "],"
                + "\"prestart\":[" + hook.formatted("prestart") + "],"
                + "\"createContainer\":[" + hook.formatted("createContainer") + "],"
                + "\"poststart\":[" + hook.formatted("poststart") + "],"
                + "\"poststop\":[" + hook.formatted("poststop") + "]}";
        Path b = bundle("b", hooks + ",\"annotations\":{\"org.example\":\"yes\"}", "/bin/sleep", "60");
        State s = runtime.create("c1", b, CreateOptions.DEFAULT);
        runtime.start("c1");
        runtime.delete("c1", true);
        List<String> lines = Files.readAllLines(log);
        assertEquals(5, lines.size(), lines.toString());
        String common = "\"id\":\"c1\",";
        // runtime.md lifecycle: the environment is made in step 2 ("creating"); prestart, createRuntime and
        // createContainer are steps 3-5, so they run in that order and see "created"
        assertTrue(lines.get(0).startsWith("prestart {\"ociVersion\":\"1.2.0\"," + common + "\"status\":\"created\",\"pid\":"
                + s.pid() + ",\"bundle\":\"" + b + "\",\"annotations\":{\"org.example\":\"yes\"}}"), lines.get(0));
        assertTrue(lines.get(1).startsWith("createRuntime ") && lines.get(1).contains("\"created\""), lines.get(1));
        assertTrue(lines.get(2).startsWith("createContainer ") && lines.get(2).contains("\"created\""), lines.get(2));
        assertTrue(lines.get(3).startsWith("poststart ") && lines.get(3).contains("\"running\""), lines.get(3));
        assertTrue(lines.get(4).startsWith("poststop ") && lines.get(4).contains("\"stopped\""), lines.get(4));
    }

    @Test
    void startContainerHooksRunThroughTheIsolationDriverBeforeTheProgram() throws IOException {
        Path log = tmp.resolve("start.log");
        Path marker = tmp.resolve("program-ran");
        String hooks = "\"hooks\":{\"startContainer\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\","
                + "\"[ -e " + marker + " ] && echo too-late >> " + log + "; echo $HOOKVAR $(cat) >> " + log + "\"],"
                + "\"env\":[\"HOOKVAR=hi\"]}]}";
        runtime.create("c1", bundle("b", hooks, "/bin/sh", "-c", "touch " + marker + "; exec sleep 60"),
                CreateOptions.DEFAULT);
        runtime.start("c1");
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.getFirst().startsWith("hi {\"ociVersion\"") && lines.getFirst().contains("\"status\":\"created\""),
                lines.getFirst());
        assertTrue(awaitTrue(() -> Files.exists(marker)));
        assertEquals("running", runtime.state("c1").status());
    }

    @Test
    void aFailingStartContainerHookStopsTheContainer() throws IOException {
        String hooks = "\"hooks\":{\"startContainer\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\","
                + "\"echo no way; exit 2\"]}]}";
        State s = runtime.create("c1", bundle("b", hooks, "/bin/sleep", "60"), CreateOptions.DEFAULT);
        var e = assertThrows(HookFailedException.class, () -> runtime.start("c1"));
        assertEquals("hooks.startContainer[0]: /bin/sh exited with status 2: no way", e.getMessage());
        assertEquals("stopped", runtime.state("c1").status());
        assertFalse(ProcStat.alive(s.pid(), 0));
    }

    @Test
    void aStartContainerHookThatTimesOutIsKilled() throws IOException {
        String hooks = "\"hooks\":{\"startContainer\":[{\"path\":\"/bin/sleep\",\"args\":[\"sleep\",\"30\"],"
                + "\"timeout\":1}]}";
        runtime.create("c1", bundle("b", hooks, "/bin/sleep", "60"), CreateOptions.DEFAULT);
        var e = assertThrows(HookFailedException.class, () -> runtime.start("c1"));
        assertEquals("hooks.startContainer[0]: /bin/sleep timed out after 1s", e.getMessage());
        assertEquals(Category.TIMEOUT, e.category());
        assertEquals("stopped", runtime.state("c1").status());
    }

    @Test
    void aFailingPoststopHookIsAWarningAndDeleteStillSucceeds() throws IOException {
        String hooks = "\"hooks\":{\"poststop\":[{\"path\":\"/bin/false\"},{\"path\":\"/nonexistent/hook\"}]}";
        runtime.create("c1", bundle("b", hooks, "/bin/true"), CreateOptions.DEFAULT);
        runtime.delete("c1", true);
        assertThrows(NotFoundException.class, () -> runtime.state("c1"));
        assertTrue(warnings.stream().anyMatch(w -> w.contains("hooks.poststop[0]: /bin/false exited with status 1")),
                warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("hooks.poststop[1]: cannot run /nonexistent/hook")),
                warnings.toString());
    }

    @Test
    void thePidFileHoldsOnlyTheDigits() throws IOException {
        Path pidFile = tmp.resolve("pid");
        State s = runtime.create("c1", bundle("b", "", "/bin/sleep", "60"), CreateOptions.DEFAULT.withPidFile(pidFile));
        assertEquals(Integer.toString(s.pid()), Files.readString(pidFile));
    }

    @Test
    void runReturnsTheExitCodeOrOneHundredTwentyEightPlusTheSignalAndDeletes() throws IOException {
        assertEquals(0, runtime.run("r0", bundle("b0", "", "/bin/sh", "-c", "exit 0"), CreateOptions.DEFAULT));
        assertEquals(3, runtime.run("r3", bundle("b3", "", "/bin/sh", "-c", "exit 3"), CreateOptions.DEFAULT));
        assertEquals(137, runtime.run("r9", bundle("b9", "", "/bin/sh", "-c", "kill -9 $$"), CreateOptions.DEFAULT));
        assertTrue(runtime.list().isEmpty());
    }

    @Test
    void runConnectsTheGivenStdio() throws IOException {
        Path out = tmp.resolve("out");
        int code = runtime.run("r", bundle("b", "", "/bin/echo", "hi"),
                CreateOptions.DEFAULT.withStdio(new Stdio.Files(null, out, null)));
        assertEquals(0, code);
        assertEquals("hi\n", Files.readString(out));
    }

    @Test
    void execWaitsForTheProcessUnlessDetached() throws IOException {
        runtime.create("c1", bundle("b", "", "/bin/sleep", "60"), CreateOptions.DEFAULT);
        runtime.start("c1");
        var proc = runtime.spec("c1").process().withArgs(List.of("/bin/sh", "-c", "exit 7"));
        assertEquals(7, runtime.exec("c1", proc, Stdio.inherit(), false, null));
        Path pidFile = tmp.resolve("exec.pid");
        assertEquals(0, runtime.exec("c1", proc.withArgs(List.of("/bin/sleep", "0.1")), Stdio.inherit(), true, pidFile));
        assertTrue(Files.readString(pidFile).matches("[0-9]+"));
    }

    @Test
    void execIsRefusedInAStoppedContainer() throws IOException {
        runtime.create("c1", bundle("b", "", "/bin/true"), CreateOptions.DEFAULT);
        runtime.start("c1");
        assertTrue(awaitTrue(() -> runtime.state("c1").status().equals("stopped")));
        var proc = runtime.spec("c1").process();
        var e = assertThrows(KernelException.class, () -> runtime.exec("c1", proc, Stdio.inherit(), false, null));
        assertEquals(Category.FAILED_PRECONDITION, e.category());
    }

    @Test
    void pauseAndResumeFollowTheTransitionTable() throws IOException {
        runtime.create("c1", bundle("b", "", "/bin/sleep", "60"), CreateOptions.DEFAULT);
        assertThrows(IllegalTransitionException.class, () -> runtime.pause("c1"));
        runtime.start("c1");
        assertThrows(IllegalTransitionException.class, () -> runtime.resume("c1"));
        runtime.pause("c1");
        assertEquals("paused", runtime.state("c1").status());
        assertThrows(IllegalTransitionException.class, () -> runtime.pause("c1"));
        assertThrows(IllegalTransitionException.class, () -> runtime.start("c1"));
        runtime.resume("c1");
        assertEquals("running", runtime.state("c1").status());
        assertEquals(List.of("create /jctr/c1", "freeze /jctr/c1", "thaw /jctr/c1"), resources.calls);
    }

    @Test
    void updateStatsAndEventsGoToTheResourceDriver() throws IOException {
        runtime.create("c1", bundle("b", "\"linux\":{\"cgroupsPath\":\"/jctr-test/c1\"}", "/bin/sleep", "60"),
                CreateOptions.DEFAULT);
        runtime.update("c1", new LinuxResources(null, null, null, new PidsResources(42), null, null, null, null, null));
        runtime.stats("c1");
        runtime.events("c1", event -> { }).close();
        assertEquals(List.of("create /jctr-test/c1", "update /jctr-test/c1 42", "stats /jctr-test/c1",
                "watch /jctr-test/c1", "unwatch /jctr-test/c1"), resources.calls);
    }

    @Test
    void withoutAResourceDriverThereIsNoCgroupAndNoPause() throws IOException {
        runtime = runtime(ContainerRuntime.NO_RESOURCE_DRIVER);
        State s = runtime.create("c1", bundle("b", "", "/bin/sleep", "60"), CreateOptions.DEFAULT);
        runtime.start("c1");
        assertEquals(List.of(s.pid()), runtime.ps("c1"));
        var e = assertThrows(UnsupportedFeatureException.class, () -> runtime.pause("c1"));
        assertTrue(e.getMessage().contains("no cgroup"), e.getMessage());
        assertTrue(resources.calls.isEmpty());
    }

    @Test
    void aTerminalNeedsAConsoleSocket() throws IOException {
        Path b = bundle("b", "", "/bin/true");
        Files.writeString(b.resolve("config.json"), Files.readString(b.resolve("config.json"))
                .replace("\"process\":{", "\"process\":{\"terminal\":true,"));
        var e = assertThrows(InvalidConfigException.class, () -> runtime.create("c1", b, CreateOptions.DEFAULT));
        assertEquals("process.terminal", e.field());
        assertNothingLeft();
    }

    @Test
    void systemdCgroupPathsAreRefusedWithSystemdCgroup() throws IOException {
        Path b = bundle("b", "\"linux\":{\"cgroupsPath\":\"system.slice:jctr:c1\"}", "/bin/true");
        var opts = new CreateOptions(null, null, false, false, null, true);
        var e = assertThrows(UnsupportedFeatureException.class, () -> runtime.create("c1", b, opts));
        assertTrue(e.getMessage().contains("systemd"), e.getMessage());
        assertNothingLeft();
    }

    @Test
    void listShowsEveryContainerWithRecomputedStatus() throws IOException {
        runtime.create("b-second", bundle("b1", "", "/bin/sleep", "60"), CreateOptions.DEFAULT);
        runtime.create("a-first", bundle("b2", "", "/bin/true"), CreateOptions.DEFAULT);
        runtime.start("a-first");
        assertTrue(awaitTrue(() -> runtime.list().getFirst().state().status().equals("stopped")));
        var list = runtime.list();
        assertEquals(List.of("a-first", "b-second"), list.stream().map(i -> i.state().id()).toList());
        assertEquals("created", list.get(1).state().status());
        assertEquals(tmp.resolve("b1/rootfs").toString(), list.get(1).rootfs());
        assertEquals(System.getProperty("user.name"), list.get(1).owner());
    }

    private void assertNothingLeft() throws IOException {
        try (var entries = Files.list(stateRoot)) {
            assertEquals(List.of(), entries.map(p -> p.getFileName().toString()).toList());
        }
        assertTrue(runtime.list().isEmpty());
    }
}
