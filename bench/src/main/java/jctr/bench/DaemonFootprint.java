package jctr.bench;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The memory of the real engine: a {@code jctr daemon} started from the built distribution ({@link JctrDaemon}),
 * idle and with N containers running {@code sleep} created through its Docker Engine API, and what each container
 * costs outside its own cgroup: the per-container {@code jctr-monitor} processes (RSS, PSS, descriptors, threads),
 * the daemon's growth (RSS, PSS, Java heap after a full GC, descriptors, threads), state files on the state root
 * (tmpfs) and on the data root (the engine's records and logs; the rootfs' writable layers), and host mounts.
 */
final class DaemonFootprint {

    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");

    private DaemonFootprint() {
    }

    /** Runs the measurement with {@code n} containers and writes it to {@code out}. */
    static void measure(int n, String resourceDriver, ObjectNode out) throws Exception {
        try (JctrDaemon d = new JctrDaemon(resourceDriver)) {
            d.importBusybox();
            out.put("command", "bin/jctr daemon (Docker Engine API on a unix socket; JVM flags of bin/jctr)");
            out.put("startMs", d.start());
            out.put("aotCache", usesAotCache(d.pid()));
            out.putPOJO("jvmFlags", jvmFlags(d.pid()));
            JsonNode info = d.get("/info");
            out.put("storageDriver", info.path("Driver").asText());
            out.put("resourceDriver", resourceDriver);
            // jcmd starts the JVM's attach listener thread: start it now, so that both samples count it.
            jcmd(d.pid(), "VM.version");
            // One container through the whole path first: the idle figure then holds the classes a container run loads.
            String warm = d.create("jctr-bench-mem-warm", List.of("true"));
            d.startContainer(warm);
            if (d.waitFor(warm) != 0) {
                throw new IllegalStateException("the warm-up container's true failed: " + d.logTail());
            }
            d.remove(warm);
            Sample idle = Sample.take(d);
            long t0 = System.nanoTime();
            List<String> ids = startContainers(d, n, "a");
            out.put("createStartMsPerContainer", (System.nanoTime() - t0) / 1e6 / n);
            Sample busy = Sample.take(d);
            long t1 = System.nanoTime();
            for (String id : ids) {
                d.remove(id);
            }
            out.put("removeMsPerContainer", (System.nanoTime() - t1) / 1e6 / n);
            Sample after = Sample.take(d);
            // The first N also pay for what the daemon grows once (JIT-compiled code, malloc arenas, thread and
            // connection pools) and keeps after they are gone: a second round from there is what the Nth costs.
            List<String> again = startContainers(d, n, "b");
            Sample busyAgain = Sample.take(d);
            for (String id : again) {
                d.remove(id);
            }
            idle.put(out.putObject("idle"));
            busy.put(out.putObject("running"));
            after.put(out.putObject("afterRemoval"));
            busyAgain.put(out.putObject("runningAgain"));
            ObjectNode first = out.putObject("perContainer");
            perContainer(idle, busy, n, first);
            perContainer(after, busyAgain, n, out.putObject("perContainerSecondRound"));
            System.out.printf("jctr daemon (%s, %s): RSS idle %d KiB, with %d containers %d KiB, after removing them "
                            + "%d KiB; per container: daemon RSS %.1f KiB (%.1f KiB in a second round), PSS %.1f KiB, "
                            + "heap %.1f KiB, %.2f fds, %.2f threads; %.2f monitor processes with %.1f KiB RSS, "
                            + "%.1f KiB PSS; %.0f B state root, %.0f B records%n",
                    out.get("storageDriver").asText(), resourceDriver, idle.daemon.rssKiB(), n, busy.daemon.rssKiB(),
                    after.daemon.rssKiB(), first.get("daemonRssKiB").asDouble(),
                    out.get("perContainerSecondRound").get("daemonRssKiB").asDouble(),
                    first.get("daemonPssKiB").asDouble(), first.get("daemonHeapKiB").asDouble(),
                    first.get("daemonFds").asDouble(), first.get("daemonThreads").asDouble(),
                    first.get("monitorProcesses").asDouble(), first.get("outsideRssKiB").asDouble(),
                    first.get("outsidePssKiB").asDouble(), first.get("stateRootBytes").asDouble(),
                    first.get("recordBytes").asDouble());
        }
    }

    /** Creates and starts {@code n} containers running {@code sleep}, one after the other; checks they all run. */
    private static List<String> startContainers(JctrDaemon d, int n, String round) throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = d.create("jctr-bench-mem-" + round + i, List.of("sleep", "3600"));
            d.startContainer(id);
            ids.add(id);
        }
        int running = d.get("/containers/json").size();
        if (running != n) {
            throw new IllegalStateException(running + " of " + n + " containers run: " + d.logTail());
        }
        return ids;
    }

    /** What one container adds, from {@code before} to {@code with} N containers. */
    private static void perContainer(Sample before, Sample with, int n, ObjectNode per) {
        per.put("daemonRssKiB", (with.daemon.rssKiB() - before.daemon.rssKiB()) / (double) n);
        per.put("daemonPssKiB", (with.daemon.pssKiB() - before.daemon.pssKiB()) / (double) n);
        per.put("daemonHeapKiB", (with.heapUsedKiB - before.heapUsedKiB) / (double) n);
        per.put("daemonFds", (with.daemon.fds() - before.daemon.fds()) / (double) n);
        per.put("daemonThreads", (with.daemon.threads() - before.daemon.threads()) / (double) n);
        per.put("monitorProcesses", (with.monitors - before.monitors) / (double) n);
        per.put("otherProcesses", (with.others - before.others) / (double) n);
        per.put("outsideRssKiB", (with.outside.rssKiB() - before.outside.rssKiB()) / (double) n);
        per.put("outsidePssKiB", (with.outside.pssKiB() - before.outside.pssKiB()) / (double) n);
        per.put("outsideFds", (with.outside.fds() - before.outside.fds()) / (double) n);
        per.put("stateRootBytes", (with.stateRootBytes - before.stateRootBytes) / (double) n);
        per.put("recordBytes", (with.recordBytes - before.recordBytes) / (double) n);
        per.put("dataRootBytes", (with.dataRootBytes - before.dataRootBytes) / (double) n);
        per.put("hostMounts", (with.mounts - before.mounts) / (double) n);
    }

    /**
     * The engine at one moment.
     *
     * @param daemon the daemon JVM as found (no forced GC)
     * @param heapUsedKiB Java heap in use right after a full GC ({@code jcmd GC.run}, {@code GC.heap_info})
     * @param rssAfterGcKiB the daemon's RSS after that GC
     * @param monitors {@code jctr-monitor} processes (their executable is under the state root)
     * @param others other processes of the daemon's or the monitors' outside the containers' pid namespaces
     * @param outside monitors and others together
     */
    record Sample(ProcFs.Footprint daemon, long heapUsedKiB, long rssAfterGcKiB, long monitors, long others,
                  ProcFs.Footprint outside, long stateRootBytes, long recordBytes, long dataRootBytes, long mounts) {

        static Sample take(JctrDaemon d) throws IOException, InterruptedException {
            // Let the last request's threads and buffers settle, as they would between a user's commands.
            Thread.sleep(1000);
            ProcFs.Footprint daemon = ProcFs.footprint(d.pid()).orElseThrow(
                    () -> new IllegalStateException("the jctr daemon has exited: " + d.logTail()));
            Map<Long, Long> parents = ProcFs.parents();
            Set<Long> monitors = ProcFs.runningFrom(d.stateRoot, parents);
            Set<Long> roots = new HashSet<>(monitors);
            roots.add(d.pid());
            String hostPidNs = ProcFs.pidNamespace(ProcessHandle.current().pid()).orElseThrow();
            ProcFs.Footprint outside = ProcFs.Footprint.ZERO;
            long count = 0;
            for (long pid : ProcFs.withDescendants(roots, parents)) {
                if (pid != d.pid() && ProcFs.pidNamespace(pid).filter(hostPidNs::equals).isPresent()) {
                    ProcFs.Footprint f = ProcFs.footprint(pid).orElse(null);
                    if (f != null) {
                        outside = outside.plus(f);
                        count++;
                    }
                }
            }
            jcmd(d.pid(), "GC.run");
            long heap = DaemonFootprint.heapUsedKiB(jcmd(d.pid(), "GC.heap_info"));
            long rssAfterGc = ProcFs.footprint(d.pid()).orElseThrow().rssKiB();
            return new Sample(daemon, heap, rssAfterGc, monitors.size(), count - monitors.size(), outside,
                    du(d.stateRoot), du(d.dataRoot.resolve("containers")), du(d.dataRoot),
                    JctrDaemon.mountsUnder(d.dir).size());
        }

        /**
         * The bytes of the regular files under {@code dir}, each inode once (an image's busybox applets are hard
         * links of one file) and without descending into other file systems (the containers' rootfs mounts).
         */
        static long du(Path dir) throws IOException {
            if (!Files.exists(dir)) {
                return 0;
            }
            Object device = Files.getAttribute(dir, "unix:dev");
            Set<Object> seen = new HashSet<>();
            long[] sum = {0};
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a)
                        throws IOException {
                    return device.equals(Files.getAttribute(d, "unix:dev")) ? FileVisitResult.CONTINUE
                            : FileVisitResult.SKIP_SUBTREE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                    if (a.isRegularFile() && seen.add(a.fileKey())) {
                        sum[0] += a.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    // removed while walking (a container's state changing): not there, not counted
                    return FileVisitResult.CONTINUE;
                }
            });
            return sum[0];
        }

        void put(ObjectNode n) {
            n.put("rssKiB", daemon.rssKiB());
            n.put("pssKiB", daemon.pssKiB());
            n.put("heapUsedAfterGcKiB", heapUsedKiB);
            n.put("rssAfterGcKiB", rssAfterGcKiB);
            n.put("fds", daemon.fds());
            n.put("threads", daemon.threads());
            ObjectNode o = n.putObject("outside");
            o.put("monitorProcesses", monitors);
            o.put("otherProcesses", others);
            o.put("rssKiB", outside.rssKiB());
            o.put("pssKiB", outside.pssKiB());
            o.put("fds", outside.fds());
            o.put("threads", outside.threads());
            n.put("stateRootBytes", stateRootBytes);
            n.put("recordBytes", recordBytes);
            n.put("dataRootBytes", dataRootBytes);
            n.put("hostMounts", mounts);
        }
    }

    /** The heap in use from {@code GC.heap_info}: the sum over the generations (or G1's one heap line). */
    static long heapUsedKiB(String heapInfo) {
        long sum = 0;
        for (String line : heapInfo.split("\n")) {
            Matcher m = HEAP_USED.matcher(line);
            if (m.find() && !line.contains("Metaspace") && !line.contains("class space")) {
                sum += Long.parseLong(m.group(1));
            }
        }
        if (sum == 0) {
            throw new IllegalStateException("no heap figure in GC.heap_info: " + heapInfo);
        }
        return sum;
    }

    /** {@code jcmd PID command} with this JDK's jcmd; its output. */
    private static String jcmd(long pid, String command) {
        return Subprocess.output(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command));
    }

    /** The daemon JVM's -X and -XX flags, from its command line. */
    private static List<String> jvmFlags(long pid) throws IOException {
        String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
        return Arrays.stream(cmdline.split("\0")).filter(a -> a.startsWith("-X")).toList();
    }

    private static boolean usesAotCache(long pid) throws IOException {
        return jvmFlags(pid).stream().anyMatch(f -> f.startsWith("-XX:AOTCache="));
    }
}
