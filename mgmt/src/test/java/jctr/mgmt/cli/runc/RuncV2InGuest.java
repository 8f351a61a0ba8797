package jctr.mgmt.cli.runc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.lifecycle.ContainerStatus;
import jctr.kernel.oci.Capabilities;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.DeviceRule;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.oci.Namespace;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.PidsResources;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Spec;
import jctr.kernel.state.ContainerRecord;
import jctr.kernel.state.StateStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Containers run through the real {@code bin/jctr-runc} (the packaged distribution) inside the cgroup v2
 * guest that {@code V2GuestIT} boots: auto-detection picks the cgroup-v2 driver there, and the guest kernel
 * enforces each container's {@code linux.resources}. Every jctr-runc call starts a JVM (2 to 3 s in the
 * guest), so each test makes as few calls as it can and learns the rest from the container's own files and
 * the cgroup tree. Containers get a cgroup namespace and a cgroup under {@code /jctr-test}.
 */
class RuncV2InGuest {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    private static final long MIB = 1L << 20;
    private static boolean createdTestParent;

    @TempDir
    Path tmp;

    private RuncHarness h;

    @BeforeAll
    static void onlyInTheGuest() {
        Assumptions.assumeTrue(Files.isRegularFile(CGROUP_ROOT.resolve("cgroup.subtree_control")),
                "needs the cgroup v2 guest (scripts/v2-guest); run through V2GuestIT");
        createdTestParent = !Files.exists(CGROUP_ROOT.resolve("jctr-test"));
    }

    @AfterAll
    static void removeTestParent() throws IOException {
        if (createdTestParent) {
            // the driver made /jctr-test on the way to the containers' cgroups; it is empty once they are deleted
            Files.deleteIfExists(CGROUP_ROOT.resolve("jctr-test"));
        }
    }

    @BeforeEach
    void setUp() {
        RuncHarness.assumeRuntimeWorks();
        h = new RuncHarness(tmp);
        h.assumeCgroups();
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void infoSaysTheGuestIsUnifiedAndAutoDetectionPicksCgroupV2() throws IOException {
        RuncHarness.Result r = h.exec(List.of(RuncHarness.projectRoot().resolve("bin/jctr").toString(), "info",
                "--format", "json"), Map.of("JCTR_STATE_ROOT", tmp.resolve("info-state").toString(),
                "JCTR_DATA_ROOT", tmp.resolve("info-data").toString()));
        assertEquals(0, r.exit(), r.toString());
        JsonNode doc = OciJson.mapper().readTree(r.out());
        assertEquals("UNIFIED", doc.get("host").get("cgroupMode").asText(), r.out());
        assertEquals("cgroup-v2", selected(doc, "resource"), r.out());
        assertEquals("namespaces", selected(doc, "isolation"), r.out());
    }

    private static String selected(JsonNode info, String kind) {
        for (var e : info.get("selected").properties()) {
            if (e.getKey().equalsIgnoreCase(kind)) {
                return e.getValue().asText();
            }
        }
        return "none selected";
    }

    /**
     * Two allocations of 100 MiB under a 32 MiB limit: a child of init first, so that {@code events} reports
     * the OOM kill while the container still exists (an OOM kill that ends the container races with {@code
     * run} deleting its cgroup, and a watcher only sees what happens while the cgroup is there), then init
     * itself, which makes {@code run} exit 137.
     */
    @Test
    void allocationsPastTheMemoryLimitAreOomKilledAndEventsReportIt() throws Exception {
        var before = h.inventory();
        String id = h.id("oom");
        String allocate = "dd if=/dev/zero of=/dev/null bs=100M count=1";
        // no swap: memory.swap (memory+swap) equal to the limit
        Path bundle = v2Bundle("oom", "touch /ready; while [ ! -e /go ]; do sleep 0.1; done; " + allocate
                + "; echo child-status $?; while [ ! -e /go-init ]; do sleep 0.1; done; exec " + allocate,
                s -> withResources(s, r -> new LinuxResources(r.devices(),
                        new MemoryResources(32 * MIB, null, 32 * MIB, null, null, null, null, null, null),
                        null, null, null, null, null, null, null)));
        Path rootfs = bundle.resolve("rootfs");
        RuncHarness.Running run = h.start("run", "--bundle", bundle.toString(), id);
        assertTrue(RuncHarness.await(() -> Files.exists(rootfs.resolve("ready")) || !run.process().isAlive(), 60_000),
                "the container did not start");
        assertTrue(run.process().isAlive(), () -> "run ended early: " + run.await());
        RuncHarness.Running events = h.start("events", "--interval", "1s", id);
        // events watches the cgroup before it prints its first stats line
        assertTrue(RuncHarness.await(() -> !events.outSoFar().isEmpty() || !events.process().isAlive(), 60_000),
                "events printed nothing");
        JsonNode first = OciJson.mapper().readTree(events.outSoFar().lines().findFirst().orElseThrow());
        JsonNode data = first.get("data");
        assertEquals("stats", first.get("type").asText(), first.toString());
        assertEquals(32 * MIB, data.get("memory").get("usage").get("limit").asLong(), first.toString());
        assertEquals(0, data.get("memory").get("swap").get("limit").asLong(), "memory.swap.max 0: " + first);
        assertTrue(data.get("pids").get("current").asLong() >= 1, first.toString());
        assertTrue(data.get("cpu").get("usage").get("total").asLong() > 0, first.toString());

        Files.createFile(rootfs.resolve("go"));
        String oom = "{\"type\":\"oom\",\"id\":\"" + id + "\"}";
        String oomKill = "{\"type\":\"oom_kill\",\"id\":\"" + id + "\"}";
        assertTrue(RuncHarness.await(() -> events.outSoFar().lines().filter(l -> l.equals(oom) || l.equals(oomKill))
                .distinct().count() == 2 || !events.process().isAlive(), 60_000), "no oom and oom_kill events");
        assertTrue(events.process().isAlive(), () -> "events ended early: " + events.await());

        Files.createFile(rootfs.resolve("go-init"));
        RuncHarness.Result ran = run.await();
        assertEquals(137, ran.exit(), "run exits with the SIGKILLed init's status: " + ran);
        assertTrue(ran.out().contains("child-status 137"), "the shell saw its child killed: " + ran);
        RuncHarness.Result ev = events.await();
        assertEquals(0, ev.exit(), "events ends when run deletes the container: " + ev);
        h.assertNothingLeftSince(before);
    }

    @Test
    void forkFailsInsideAtThePidsLimit() {
        var before = h.inventory();
        String id = h.id("pids");
        // the shell and four sleeps make five tasks: the fifth sleep cannot be forked
        Path bundle = v2Bundle("pids", "cat /sys/fs/cgroup/pids.max; for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; "
                + "echo all-started", s -> withResources(s, r -> new LinuxResources(r.devices(), null, null,
                new PidsResources(5), null, null, null, null, null)));
        RuncHarness.Result r = h.jctr("run", "--bundle", bundle.toString(), id);
        assertEquals(2, r.exit(), "busybox sh exits 2 when it cannot fork: " + r);
        assertTrue(r.err().contains("can't fork"), r.toString());
        assertEquals("5", r.out().lines().findFirst().orElse(""), r.toString());
        assertFalse(r.out().contains("all-started"), r.toString());
        h.assertNothingLeftSince(before);
    }

    @Test
    void aQuotaOfOneFifthHoldsABusyLoopNearTwentyPercent() {
        var before = h.inventory();
        String id = h.id("cpu");
        String usage = "sed -n 's/^usage_usec //p' /sys/fs/cgroup/cpu.stat";
        // a second of the busy loop's steady state, measured inside: wall time from /proc/uptime, CPU from cpu.stat
        Path bundle = v2Bundle("cpu", "sh -c 'while :; do :; done' & busy=$!; sleep 0.3; "
                + "read up0 _ < /proc/uptime; cpu0=$(" + usage + "); sleep 1; "
                + "read up1 _ < /proc/uptime; cpu1=$(" + usage + "); kill $busy; "
                + "echo \"$up0 $up1 $cpu0 $cpu1 $(sed -n 's/^nr_throttled //p' /sys/fs/cgroup/cpu.stat)\"",
                s -> withResources(s, r -> new LinuxResources(r.devices(), null,
                        new CpuResources(null, 20_000L, null, 100_000L, null, null, null, null, null),
                        null, null, null, null, null, null)));
        RuncHarness.Result r = h.jctr("run", "--bundle", bundle.toString(), id);
        assertEquals(0, r.exit(), r.toString());
        String[] f = r.out().lines().reduce((a, b) -> b).orElse("").trim().split(" ");
        assertEquals(5, f.length, r.toString());
        double wallSeconds = Double.parseDouble(f[1]) - Double.parseDouble(f[0]);
        double cpuSeconds = (Long.parseLong(f[3]) - Long.parseLong(f[2])) / 1e6;
        double share = cpuSeconds / wallSeconds;
        System.out.printf("cpu quota 20000/100000: %.3f s of CPU in %.2f s (%.0f%%), %s throttled periods%n",
                cpuSeconds, wallSeconds, share * 100, f[4]);
        assertTrue(wallSeconds >= 0.9, r.toString());
        assertTrue(share > 0.10 && share < 0.35, "share " + share + ": " + r);
        assertTrue(Long.parseLong(f[4]) > 0, "throttled periods: " + r);
        h.assertNothingLeftSince(before);
    }

    /**
     * Device rules are applied in order, the last match winning; the runtime appends its default rules (the
     * devices of every container's /dev) after the config's, as runc does, so a config cannot take /dev/null
     * away: the denial is shown on a device outside the defaults, the guest's spare disk /dev/ubdb.
     */
    @Test
    void theDefaultDeviceRulesKeepDevNullAndTheConfigsRulesDecideTheRest() throws IOException {
        var before = h.inventory();
        String id = h.id("dev");
        long rdev = ((Number) Files.getAttribute(Path.of("/dev/ubdb"), "unix:rdev")).longValue();
        long major = (rdev >>> 8) & 0xfff;
        long minor = (rdev & 0xff) | ((rdev >>> 12) & 0xfff00);
        Path bundle = v2Bundle("dev", "echo x > /dev/null && echo null-write-ok; "
                + "mknod /dev/disk b " + major + " " + minor + " && echo disk-mknod-ok; "
                + "head -c 512 /dev/disk > /dev/null && echo disk-read-ok; "
                + "echo x > /dev/disk && echo disk-write-ok || echo disk-write-denied; "
                + "mknod /dev/kmsg c 1 11 && { echo x > /dev/kmsg && echo kmsg-write-ok || echo kmsg-write-denied; }",
                s -> {
                    // runc's default config denies every device; then: read and write the disk, but not write it
                    List<DeviceRule> rules = new ArrayList<>(s.linux().resourcesOrEmpty().devices());
                    rules.add(new DeviceRule(true, "b", major, minor, "rw"));
                    rules.add(new DeviceRule(false, "b", major, minor, "w"));
                    Spec withRules = withResources(s, r -> new LinuxResources(rules, null, null, null, null, null,
                            null, null, null));
                    ProcessSpec p = withRules.process();
                    List<String> caps = new ArrayList<>(p.capabilities().bounding());
                    caps.add("CAP_MKNOD");
                    return withRules.withProcess(new ProcessSpec(p.terminal(), p.consoleSize(), p.user(), p.args(),
                            p.env(), p.cwd(), Capabilities.allSets(caps), p.rlimits(), p.noNewPrivileges(),
                            p.apparmorProfile(), p.oomScoreAdj(), p.selinuxLabel()));
                });
        RuncHarness.Result r = h.jctr("run", "--bundle", bundle.toString(), id);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("null-write-ok", "disk-mknod-ok", "disk-read-ok", "disk-write-denied", "kmsg-write-denied"),
                r.out().lines().toList(), r.toString());
        h.assertNothingLeftSince(before);
    }

    @Test
    void initStartsInItsCgroupThenPauseResumeUpdateAndDeleteWork() throws Exception {
        var before = h.inventory();
        String id = h.id("life");
        Path bundle = v2Bundle("life", "cat /proc/self/cgroup > /cgroup; i=0; while true; do i=$((i+1)); "
                + "echo $i > /count.tmp; mv /count.tmp /count; "
                + "cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max > /limits.tmp; mv /limits.tmp /limits; "
                + "sleep 0.05; done", s -> s);
        Path rootfs = bundle.resolve("rootfs");
        Path pidFile = tmp.resolve("life.pid");
        RuncHarness.Result started = h.jctr("run", "-d", "--pid-file", pidFile.toString(), "--bundle", bundle.toString(), id);
        assertEquals(0, started.exit(), started.toString());

        // The state names the cgroup, the kernel has init in it, and init was there before it ran: the cgroup
        // namespace it made first thing has the container's cgroup as its root.
        String pid = Files.readString(pidFile).trim();
        StateStore state = new StateStore(h.root);
        ContainerRecord record = state.get(id);
        assertEquals("cgroup-v2", record.drivers().resource());
        Path dir = CGROUP_ROOT.resolve("jctr-test").resolve(id);
        assertEquals(dir.toString(), record.cgroup().cloneIntoDir(), "the handle offers CLONE_INTO_CGROUP");
        assertTrue(Files.readAllLines(dir.resolve("cgroup.procs")).contains(pid), "init " + pid + " in " + dir);
        assertEquals("0::/jctr-test/" + id, Files.readString(Path.of("/proc", pid, "cgroup")).trim());
        assertTrue(RuncHarness.await(() -> read(rootfs.resolve("cgroup")).endsWith("\n"), 10_000));
        assertEquals("0::/", read(rootfs.resolve("cgroup")).trim(), "inside, with its cgroup namespace");
        assertTrue(RuncHarness.await(() -> counter(rootfs) > 3, 10_000), "the counter does not count");

        RuncHarness.Result pause = h.jctr("pause", id);
        assertEquals(0, pause.exit(), pause.toString());
        assertEquals(ContainerStatus.PAUSED, state.get(id).status());
        assertTrue(read(dir.resolve("cgroup.events")).contains("frozen 1"), read(dir.resolve("cgroup.events")));
        long frozen = counter(rootfs);
        Thread.sleep(500);
        assertEquals(frozen, counter(rootfs), "the counter moved while paused");
        RuncHarness.Result resume = h.jctr("resume", id);
        assertEquals(0, resume.exit(), resume.toString());
        assertTrue(RuncHarness.await(() -> counter(rootfs) > frozen + 3, 10_000), "the counter did not continue");

        assertEquals("max\nmax\n", read(rootfs.resolve("limits")));
        RuncHarness.Result update = h.jctr("update", "--pids-limit", "9", "--memory", "64m", id);
        assertEquals(0, update.exit(), update.toString());
        assertTrue(RuncHarness.await(() -> read(rootfs.resolve("limits")).equals("9\n67108864\n"), 10_000),
                "the container sees " + read(rootfs.resolve("limits")));

        RuncHarness.Result delete = h.jctr("delete", "--force", id);
        assertEquals(0, delete.exit(), delete.toString());
        assertFalse(Files.exists(dir), dir + " remains after delete");
        h.assertNothingLeftSince(before);
    }

    /** A busybox bundle running {@code sh -c script} with a cgroup namespace, then {@code tweak}. */
    private Path v2Bundle(String name, String script, UnaryOperator<Spec> tweak) {
        return h.bundle(name, List.of("sh", "-c", script), s -> {
            List<Namespace> namespaces = new ArrayList<>(s.linux().namespaces());
            namespaces.add(new Namespace("cgroup", null));
            return tweak.apply(s.withLinux(s.linux().withNamespaces(namespaces)));
        });
    }

    private static Spec withResources(Spec s, UnaryOperator<LinuxResources> change) {
        return s.withLinux(s.linux().withResources(change.apply(s.linux().resourcesOrEmpty())));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long counter(Path rootfs) {
        String s = read(rootfs.resolve("count")).trim();
        return s.isEmpty() ? -1 : Long.parseLong(s);
    }
}
