package jctr.cgroup.v2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;

import jctr.kernel.host.HostInfo;
import jctr.kernel.oci.DeviceRule;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.sys.Bpf;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.testing.RootOnly;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the host kernel can prove without v2 controllers: its verifier accepts the compiled device programs,
 * and on the host's cgroup2 mount (in hybrid mode it has no cpu/memory/pids, but device programs, the freezer
 * and cgroup.kill are core features) the program denies what the rules deny, freeze stops a process, and
 * delete kills and removes. Cgroups are made under jctr-test/&lt;unique&gt; only; the root is never changed.
 */
class UnifiedHostIT {

    private Path root;
    private boolean createdTestParent;
    private String parent;
    private UnifiedHierarchy hierarchy;

    @BeforeEach
    void hierarchy() {
        RootOnly.assumeRoot();
        HostInfo host = HostInfo.detect();
        Assumptions.assumeTrue(host.unifiedMount() != null
                && Files.isRegularFile(host.unifiedMount().resolve("cgroup.subtree_control")),
                "no cgroup2 hierarchy on this host");
        root = host.unifiedMount();
        createdTestParent = !Files.exists(root.resolve("jctr-test"));
        parent = "/jctr-test/cgv2-host-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        hierarchy = new UnifiedHierarchy(root, parent, () -> OptionalInt.of(60));
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (hierarchy == null) {
            return;
        }
        // Whatever a failed test left: the whole unique parent goes, processes first.
        hierarchy.delete(new CgroupHandle(UnifiedHierarchy.DRIVER, parent, null, List.of(), Map.of()));
        if (createdTestParent) {
            try {
                Files.deleteIfExists(root.resolve("jctr-test"));
            } catch (IOException e) {
                // another test run uses it now; it removes it when done
            }
        }
    }

    private CgroupHandle create(String id, LinuxResources r) {
        return hierarchy.create(id, null, r);
    }

    @Test
    void theKernelVerifierAcceptsRandomRuleLists() {
        Random random = new Random(4242);
        for (int n = 0; n < 200; n++) {
            List<DeviceRule> rules = new ArrayList<>();
            for (int i = random.nextInt(30); i > 0; i--) {
                rules.add(new DeviceRule(random.nextBoolean(), List.of("a", "b", "c").get(random.nextInt(3)),
                        random.nextInt(4) == 0 ? null : (long) random.nextInt(300),
                        random.nextInt(4) == 0 ? null : (long) random.nextInt(300),
                        List.of("r", "w", "m", "rw", "rwm", "wm").get(random.nextInt(6))));
            }
            byte[] program = DeviceFilter.compile(DeviceFilter.rules(rules));
            int fd = Bpf.progLoad(Bpf.PROG_TYPE_CGROUP_DEVICE, program, "Apache-2.0", "jctr_test");
            PosixFiles.close(fd);
        }
    }

    @Test
    void theDeviceProgramDeniesWhatTheRulesDeny() {
        CgroupHandle h = create("dev", devices(new DeviceRule(true, "a", null, null, "rwm"),
                new DeviceRule(false, "c", 1L, 3L, "wm")));
        String out = runIn(h, "echo x > /dev/null && echo null-write-ok || echo null-write-denied; "
                + "cat /dev/null && echo null-read-ok; echo x > /dev/zero && echo zero-write-ok");
        assertTrue(out.contains("null-write-denied"), out);
        assertTrue(out.contains("Operation not permitted"), out);
        assertTrue(out.contains("null-read-ok"), out);
        assertTrue(out.contains("zero-write-ok"), out);

        // An update replaces the program: one attached, and /dev/null writable again.
        hierarchy.update(h, devices(new DeviceRule(true, "a", null, null, "rwm")));
        assertEquals(1, DeviceFilter.attached(Path.of(h.cloneIntoDir())).length);
        String after = runIn(h, "echo x > /dev/null && echo null-write-ok || echo null-write-denied");
        assertTrue(after.contains("null-write-ok"), after);
    }

    @Test
    void freezeStopsAProcessAndDeleteKillsAndRemoves() throws Exception {
        CgroupHandle h = create("frz", LinuxResources.EMPTY);
        Path counter = Path.of(System.getProperty("java.io.tmpdir"), "jctr-counter-" + System.nanoTime());
        try (Child c = Child.start(countingScript(counter))) {
            c.moveInto(h).go();
            awaitCount(counter, 3);
            hierarchy.freeze(h);
            long frozen = count(counter);
            Thread.sleep(300);
            assertEquals(frozen, count(counter), "the counter moved while frozen");
            assertTrue(hierarchy.pids(h).contains(c.pid()), hierarchy.pids(h).toString());
            hierarchy.thaw(h);
            awaitCount(counter, frozen + 3);
            hierarchy.freeze(h);
            hierarchy.delete(h);
            assertFalse(Files.exists(Path.of(h.cloneIntoDir())));
            assertEquals(137, c.waitFor(Duration.ofSeconds(10)), "killed by SIGKILL");
        } finally {
            Files.deleteIfExists(counter);
            Files.deleteIfExists(Path.of(counter + ".tmp"));
        }
    }

    @Test
    void createAndDeleteLeaveNothingBehind() {
        for (int i = 0; i < 50; i++) {
            CgroupHandle h = hierarchy.create("cycle" + i, null,
                    devices(new DeviceRule(false, null, null, null, "rwm"), new DeviceRule(true, "c", 1L, 3L, "rw")));
            hierarchy.delete(h);
        }
        assertEquals(List.of(), new CgroupDir(root.resolve(parent.substring(1)), parent).children());
    }

    private String runIn(CgroupHandle h, String script) {
        try (Child c = Child.start(script)) {
            c.moveInto(h).go();
            assertEquals(0, c.waitFor(Duration.ofSeconds(20)), c.output());
            return c.output();
        }
    }

    static LinuxResources devices(DeviceRule... rules) {
        return new LinuxResources(List.of(rules), null, null, null, null, null, null, null, null);
    }

    /**
     * A script that counts up every 10 ms into {@code counter}, replacing the file atomically (rename) so a
     * reader, or a freeze between two system calls, never sees it half written.
     */
    static String countingScript(Path counter) {
        return "i=0; while :; do i=$((i+1)); echo $i > " + counter + ".tmp; mv " + counter + ".tmp " + counter
                + "; usleep 10000; done";
    }

    /** The counter's value; 0 before the first write. */
    static long count(Path counter) throws IOException {
        try {
            String s = Files.readString(counter).trim();
            return s.isEmpty() ? 0 : Long.parseLong(s);
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        }
    }

    static void awaitCount(Path counter, long atLeast) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (count(counter) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("counter stuck at " + count(counter) + ", waiting for " + atLeast);
            }
            Thread.sleep(20);
        }
    }
}
