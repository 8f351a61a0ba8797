package jctr.mgmt.cli.runc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.oci.Hook;
import jctr.kernel.oci.Hooks;
import jctr.kernel.oci.LinuxSpec;
import jctr.kernel.oci.Mount;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.OciJson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/jctr-runc} as a process against the real kernel: the lifecycle as the OCI conformance tools
 * drive it, bad input, hooks, exec and ps. Every test checks that it left no mount, process, cgroup or
 * state entry behind.
 */
class RuncCliIT {

    @TempDir
    Path tmp;

    private RuncHarness h;
    private RuncHarness.Inventory before;

    @BeforeEach
    void setUp() {
        RuncHarness.assumeRuntimeWorks();
        h = new RuncHarness(tmp);
        before = h.inventory();
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void theReadmeJobRunsABusyboxBundleFromTheScript() {
        Path bundle = tmp.resolve("readme-bundle");
        var script = h.exec(List.of(RuncHarness.projectRoot().resolve("scripts/busybox-bundle.sh").toString(),
                bundle.toString(), "echo hello from jctr; hostname"), java.util.Map.of());
        assertEquals(0, script.exit(), script.toString());
        var r = h.jctr("run", "--bundle", bundle.toString(), h.id("readme"));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("hello from jctr\njctr\n", r.out());
        h.assertNothingLeftSince(before);
    }

    @Test
    void createDoesNotRunTheProgramUntilStartAndStoppedPersistsUntilDelete() throws IOException {
        Path bundle = h.bundle("life", "sh", "-c", "echo started > /marker; exec sleep 1000");
        Path marker = bundle.resolve("rootfs/marker");
        Path pidFile = tmp.resolve("init.pid");
        String id = h.id("life");

        var create = h.jctr("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id);
        assertEquals(0, create.exit(), create.toString());
        JsonNode state = OciJson.mapper().readTree(h.jctr("state", id).out());
        assertEquals("created", state.get("status").asText());
        assertEquals(id, state.get("id").asText());
        assertEquals(bundle.toString(), state.get("bundle").asText());
        int pid = state.get("pid").asInt();
        assertTrue(pid > 0);
        assertEquals(Integer.toString(pid), Files.readString(pidFile), "pid file: digits only");
        assertTrue(Files.exists(Path.of("/proc/" + pid)), "the init exists after create");
        RuncHarness.await(() -> false, 300);
        assertFalse(Files.exists(marker), "process.args ran before start");

        assertEquals(0, h.jctr("start", id).exit());
        assertTrue(RuncHarness.await(() -> Files.exists(marker), 10_000), "process.args did not run after start");
        assertEquals("running", h.status(id));
        assertNotEquals(0, h.jctr("start", id).exit(), "start of a running container");

        var kill = h.jctr("kill", id, "KILL");
        assertEquals(0, kill.exit(), kill.toString());
        assertTrue(RuncHarness.await(() -> h.status(id).equals("stopped"), 10_000));
        assertEquals(0, OciJson.mapper().readTree(h.jctr("state", id).out()).get("pid").asInt());

        var startStopped = h.jctr("start", id);
        assertNotEquals(0, startStopped.exit());
        assertTrue(startStopped.err().contains("level=error"), startStopped.toString());
        assertNotEquals(0, h.jctr("kill", id, "TERM").exit(), "kill of a stopped container");
        assertEquals("stopped", h.status(id), "a failed kill changes nothing");

        assertEquals(0, h.jctr("delete", id).exit());
        var gone = h.jctr("state", id);
        assertNotEquals(0, gone.exit());
        assertTrue(gone.err().contains("does not exist"), gone.toString());
        h.assertNothingLeftSince(before);
    }

    @Test
    void signalsAreTakenPositionallyByNameOrNumber() {
        Path bundle = h.bundle("sig", "sh", "-c", "trap 'echo usr1 > /got; exit 0' USR1; while true; do sleep 0.1; done");
        String id = h.id("sig");
        assertEquals(0, h.jctr("run", "--detach", "--bundle", bundle.toString(), id).exit());
        RuncHarness.await(() -> false, 500); // let the shell install its trap
        assertEquals(0, h.jctr("kill", id, "SIGUSR1").exit());
        assertTrue(RuncHarness.await(() -> Files.exists(bundle.resolve("rootfs/got")), 10_000));
        assertTrue(RuncHarness.await(() -> h.status(id).equals("stopped"), 10_000));
        assertEquals(0, h.jctr("delete", id).exit());

        assertEquals(0, h.jctr("run", "--detach", "--bundle", bundle.toString(), id).exit());
        assertEquals(0, h.jctr("kill", id, "9").exit());
        assertTrue(RuncHarness.await(() -> h.status(id).equals("stopped"), 10_000));
        assertEquals(0, h.jctr("delete", id).exit());
        h.assertNothingLeftSince(before);
    }

    @Test
    void deleteOfALiveContainerNeedsForce() {
        Path bundle = h.bundle("del", "sleep", "1000");
        String id = h.id("del");
        assertEquals(0, h.jctr("create", "--bundle", bundle.toString(), id).exit());
        var refused = h.jctr("delete", id);
        assertNotEquals(0, refused.exit());
        assertEquals("created", h.status(id), "left intact");
        assertEquals(0, h.jctr("start", id).exit());
        assertNotEquals(0, h.jctr("delete", id).exit());
        assertEquals("running", h.status(id), "left intact");
        var forced = h.jctr("delete", "--force", id);
        assertEquals(0, forced.exit(), forced.toString());
        assertEquals("absent", h.status(id));
        h.assertNothingLeftSince(before);
    }

    @Test
    void listPsAndExec() throws IOException {
        Path bundle = h.bundle("ps", "sleep", "1000");
        String id = h.id("ps");
        assertEquals(0, h.jctr("run", "-d", "--bundle", bundle.toString(), id).exit());
        var list = h.jctr("list");
        assertTrue(list.out().startsWith("ID "), list.toString());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith(id + " ") && l.contains(" running ")
                && l.contains(bundle.toString())), list.toString());
        assertEquals(id + "\n", h.jctr("list", "-q").out());
        int pid = OciJson.mapper().readTree(h.jctr("state", id).out()).get("pid").asInt();
        JsonNode pids = OciJson.mapper().readTree(h.jctr("ps", "--format", "json", id).out());
        assertTrue(pids.isArray() && pids.toString().contains(Integer.toString(pid)), pids.toString());
        var table = h.jctr("ps", id);
        assertTrue(table.out().lines().anyMatch(l -> l.contains(" " + pid + " ") && l.contains("sleep")), table.toString());

        var exec = h.jctr("exec", id, "sh", "-c", "echo from exec; exit 5");
        assertEquals(5, exec.exit(), exec.toString());
        assertEquals("from exec\n", exec.out());
        var env = h.jctr("exec", "--env", "GREETING=hi", "--cwd", "/tmp", id, "sh", "-c", "echo $GREETING $(pwd)");
        assertEquals("hi /tmp\n", env.out(), env.toString());
        assertEquals(0, h.jctr("delete", "--force", id).exit());
        h.assertNothingLeftSince(before);
    }

    @Test
    void hooksRunWithTheStateOnStdin() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("hooks-out"));
        Hook createRuntime = new Hook("/bin/sh", List.of("sh", "-c", "cat > " + out + "/createRuntime.json"), null, 5);
        // startContainer runs inside the container: its path and its output file are the container's
        Hook startContainer = new Hook("/bin/sh", List.of("sh", "-c", "cat > /startContainer.json"), null, 5);
        Hook poststart = new Hook("/bin/sh", List.of("sh", "-c", "cat > " + out + "/poststart.json"), null, 5);
        Hook poststop = new Hook("/bin/sh", List.of("sh", "-c", "cat > " + out + "/poststop.json"), null, 5);
        Hooks hooks = new Hooks(null, List.of(createRuntime), null, List.of(startContainer), List.of(poststart),
                List.of(poststop));
        String id = h.id("hooks");
        Path bundle = h.bundle("hooks", List.of("true"), s -> new jctr.kernel.oci.Spec(s.ociVersion(), s.process(),
                s.root(), s.hostname(), s.domainname(), s.mounts(), hooks, java.util.Map.of("org.jctr.test", "yes"),
                s.linux()));
        var r = h.jctr("run", "--bundle", bundle.toString(), id);
        assertEquals(0, r.exit(), r.toString());
        JsonNode created = OciJson.mapper().readTree(out.resolve("createRuntime.json").toFile());
        assertEquals(id, created.get("id").asText());
        // runtime.md: createRuntime is lifecycle step 4, after the environment is made (step 2, "creating")
        assertEquals("created", created.get("status").asText());
        assertTrue(created.get("pid").asInt() > 0);
        assertEquals(bundle.toString(), created.get("bundle").asText());
        assertEquals("yes", created.get("annotations").get("org.jctr.test").asText());
        JsonNode inContainer = OciJson.mapper().readTree(bundle.resolve("rootfs/startContainer.json").toFile());
        assertEquals("created", inContainer.get("status").asText());
        assertEquals(id, inContainer.get("id").asText());
        assertEquals("running", OciJson.mapper().readTree(out.resolve("poststart.json").toFile()).get("status").asText());
        assertEquals("stopped", OciJson.mapper().readTree(out.resolve("poststop.json").toFile()).get("status").asText());
        h.assertNothingLeftSince(before);
    }

    @Test
    void aTimedOutHookFailsCreateAndLeavesNothing() {
        Hook slow = new Hook("/bin/sleep", List.of("sleep", "30"), null, 1);
        Path bundle = h.bundle("slowhook", List.of("true"), s -> new jctr.kernel.oci.Spec(s.ociVersion(), s.process(),
                s.root(), s.hostname(), s.domainname(), s.mounts(), new Hooks(null, List.of(slow), null, null, null, null),
                s.annotations(), s.linux()));
        var r = h.jctr("create", "--bundle", bundle.toString(), h.id("slowhook"));
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("hooks.createRuntime[0]: /bin/sleep timed out after 1s"), r.toString());
        h.assertNothingLeftSince(before);
    }

    // ------------------------------------------------------------------ bad input

    private void assertRefused(String name, Path bundle, String... expectedInMessage) {
        var r = h.jctr("create", "--bundle", bundle.toString(), h.id(name));
        assertNotEquals(0, r.exit(), r.toString());
        for (String s : expectedInMessage) {
            assertTrue(r.err().contains(s), "expected \"" + s + "\" in:\n" + r);
        }
        assertEquals("absent", h.status(h.id(name)));
        h.assertNothingLeftSince(before);
    }

    @Test
    void aMalformedConfigNamesTheJsonPath() throws IOException {
        Path bundle = h.bundle("malformed", "true");
        Files.writeString(bundle.resolve("config.json"), Files.readString(bundle.resolve("config.json"))
                .replaceFirst("\"uid\" : 0", "\"uid\" : \"root\""));
        assertRefused("malformed", bundle, "process.user.uid");
    }

    @Test
    void aMissingRootfsIsRefused() throws IOException {
        Path bundle = h.bundle("norootfs", "true");
        Files.move(bundle.resolve("rootfs"), tmp.resolve("elsewhere"));
        assertRefused("norootfs", bundle, "root.path", "does not exist");
    }

    @Test
    void aProgramMissingFromTheRootfsIsRefused() {
        assertRefused("noargs0", h.bundle("noargs0", "/bin/no-such-program"), "no-such-program");
    }

    @Test
    void aBadMountSourceIsRefusedNamingTheMount() {
        Path bundle = h.bundle("badmount", List.of("true"), s -> {
            List<Mount> mounts = new ArrayList<>(s.mounts());
            mounts.add(new Mount("/data", "bind", tmp.resolve("no-such-dir").toString(), List.of("rbind")));
            return s.withMounts(mounts);
        });
        assertRefused("badmount", bundle, "mounts[7]");
    }

    @Test
    void anUnknownNamespaceTypeIsRefused() {
        Path bundle = h.bundle("badns", List.of("true"), s -> {
            List<Namespace> ns = new ArrayList<>(s.linux().namespaces());
            ns.add(new Namespace("bogus", null));
            LinuxSpec linux = s.linux().withNamespaces(ns);
            return s.withLinux(linux);
        });
        assertRefused("badns", bundle, "linux.namespaces[5].type", "bogus");
    }

    @Test
    void aDuplicateIdIsRefusedAndTheFirstContainerIsUnharmed() {
        Path bundle = h.bundle("dup", "sleep", "1000");
        String id = h.id("dup");
        assertEquals(0, h.jctr("create", "--bundle", bundle.toString(), id).exit());
        var withFirst = h.inventory();
        var dup = h.jctr("create", "--bundle", bundle.toString(), id);
        assertNotEquals(0, dup.exit());
        assertTrue(dup.err().contains("already exists"), dup.toString());
        assertEquals("created", h.status(id));
        assertEquals(withFirst, h.inventory());
        assertEquals(0, h.jctr("delete", "--force", id).exit());
        h.assertNothingLeftSince(before);
    }

    @Test
    void unknownIdsFailWithoutSideEffects() {
        for (String[] cmd : List.of(new String[] {"state", "nope"}, new String[] {"start", "nope"},
                new String[] {"kill", "nope"}, new String[] {"delete", "nope"}, new String[] {"pause", "nope"})) {
            var r = h.jctr(cmd);
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().contains("container nope does not exist"), r.toString());
        }
        h.assertNothingLeftSince(before);
    }
}
