package jctr.cgroup.v1;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import jctr.kernel.oci.DeviceRule;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.sys.PosixFiles;

/**
 * Where the cgroup-v1 driver's per-container time goes, on the real hierarchies (root only; run by hand, not a
 * test: the numbers depend on the machine and its load). Each round creates a cgroup with the device rules a
 * {@code runc spec} config gets from the runtime, moves a waiting process into every hierarchy, lets it exit,
 * reaps it and deletes the cgroup; then deletes one whose process still runs (the kill path), and times the
 * kernel's floor (mkdir, cpuset setup, rmdir in every hierarchy). Every phase is timed separately.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp CLASSPATH jctr.cgroup.v1.CgroupV1Timing [ROUNDS]</pre>
 */
public final class CgroupV1Timing {

    private CgroupV1Timing() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Map<String, long[]> phases = new LinkedHashMap<>();
        for (String p : List.of("create", "join", "exit+reap", "pids", "delete", "create(no devices)", "delete(empty)", "delete(running)",
                "floor: mkdir", "floor: cpuset", "floor: rmdir")) {
            phases.put(p, new long[rounds]);
        }
        LinuxResources runcDefault = new LinuxResources(devices(), null, null, null, null, null, null, null, null);
        int hierarchies;
        try (TestCgroups cg = new TestCgroups()) {
            hierarchies = cg.mounts().size();
            for (int i = -rounds; i < rounds; i++) { // as many rounds of warm-up (JIT), not recorded
                int slot = i;
                CgroupHandle h = time(phases, "create", slot, () -> cg.driver.create("t" + (slot & 7), null, runcDefault));
                Workload w = Workload.start("exit 0");
                time(phases, "join", slot, () -> w.join(h));
                time(phases, "exit+reap", slot, () -> {
                    w.release();
                    try {
                        w.waitFor(java.time.Duration.ofSeconds(10));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return null;
                });
                time(phases, "pids", slot, () -> cg.driver.pids(h));
                time(phases, "delete", slot, () -> {
                    cg.driver.delete(h);
                    return null;
                });
                w.close();
                CgroupHandle e = time(phases, "create(no devices)", slot,
                        () -> cg.driver.create("e" + (slot & 7), null, LinuxResources.EMPTY));
                time(phases, "delete(empty)", slot, () -> {
                    cg.driver.delete(e);
                    return null;
                });
                CgroupHandle r = cg.driver.create("r" + (slot & 7), null, LinuxResources.EMPTY);
                try (Workload running = Workload.start("exec $BB sleep 60")) {
                    running.joinAndRelease(r);
                    while (cg.driver.pids(r).isEmpty()) {
                        Thread.onSpinWait();
                    }
                    time(phases, "delete(running)", slot, () -> {
                        cg.driver.delete(r);
                        return null;
                    });
                }
                List<Path> raw = cg.mounts().stream().map(m -> m.resolve(cg.parent).resolve("raw")).toList();
                time(phases, "floor: mkdir", slot, () -> {
                    raw.forEach(d -> {
                        try {
                            java.nio.file.Files.createDirectory(d);
                        } catch (java.io.IOException x) {
                            throw new java.io.UncheckedIOException(x);
                        }
                    });
                    return null;
                });
                Path rawCpuset = cg.dir("cpuset", "raw");
                time(phases, "floor: cpuset", slot, () -> {
                    CgroupFiles.write(rawCpuset.resolve("cpuset.cpus"), CgroupFiles.read(rawCpuset.getParent().resolve("cpuset.cpus")), null);
                    CgroupFiles.write(rawCpuset.resolve("cpuset.mems"), CgroupFiles.read(rawCpuset.getParent().resolve("cpuset.mems")), null);
                    return null;
                });
                time(phases, "floor: rmdir", slot, () -> {
                    raw.forEach(PosixFiles::rmdir);
                    return null;
                });
            }
        }
        System.out.printf("cgroup-v1 driver, %d rounds, %d hierarchies (microseconds)%n", rounds, hierarchies);
        phases.forEach((name, t) -> {
            long[] s = t.clone();
            Arrays.sort(s);
            System.out.printf("  %-20s p50 %7d  p10 %7d  p90 %7d%n", name, s[s.length / 2] / 1000,
                    s[s.length / 10] / 1000, s[s.length * 9 / 10] / 1000);
        });
    }

    private static <T> T time(Map<String, long[]> phases, String phase, int slot, Supplier<T> work) {
        long start = System.nanoTime();
        T result = work.get();
        long took = System.nanoTime() - start;
        if (slot >= 0) {
            phases.get(phase)[slot] = took;
        }
        return result;
    }

    /** runc spec's "deny all" followed by the rules the runtime appends (DefaultDevices). */
    private static List<DeviceRule> devices() {
        List<DeviceRule> rules = new ArrayList<>();
        rules.add(new DeviceRule(false, null, null, null, "rwm"));
        rules.add(new DeviceRule(true, "c", null, null, "m"));
        rules.add(new DeviceRule(true, "b", null, null, "m"));
        long[][] standard = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}, {136, -1}};
        for (long[] d : standard) {
            rules.add(new DeviceRule(true, "c", d[0], d[1] < 0 ? null : d[1], "rwm"));
        }
        return rules;
    }
}
