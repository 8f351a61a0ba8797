package jctr.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jctr.kernel.layer.FileTrees;
import jctr.kernel.registry.DriverKind;
import jctr.kernel.runtime.CreateOptions;
import jctr.kernel.spi.Stdio;

/**
 * Engine memory, idle and with N running containers ({@code sleep}), and what each container costs outside its
 * own cgroup, three ways in one run:
 * <ul>
 *   <li>the real engine, {@code jctr daemon} from the built distribution with containers created through its
 *       Docker Engine API ({@link DaemonFootprint}): the daemon JVM's RSS, PSS and heap, and per container the
 *       {@code jctr-monitor} process that owns its stdio, logs and exit status, the daemon's descriptors and
 *       threads, and state files;</li>
 *   <li>the in-process runtime, what an engine that embeds jctr's kernel pays ({@code ContainerRuntime} in this
 *       JVM, no monitor: the launcher exits once the init is cloned): this JVM's RSS and heap, and per container
 *       its growth, descriptors, threads, processes outside the container and state directory;</li>
 *   <li>runc with the same N containers ({@code runc run -d}): processes left outside the containers and its state.
 *       Which daemon-based peers (dockerd, containerd and its shim, podman's conmon) are installed is recorded:
 *       on the machine this was written on none is, so runc, which keeps no process per container, is the only
 *       peer measured.</li>
 * </ul>
 * The cgroup driver is cgroup-v1 when it can run (else none), every container's cgroup below
 * {@link BenchCgroups#parent()}.
 *
 * <pre>java -cp ... jctr.bench.MemoryFootprint OUT.json [containers]</pre>
 */
public final class MemoryFootprint {

    /** Engines with a resident process per host or per container, the peers of jctr's daemon and monitor. */
    private static final List<String> DAEMON_PEERS = List.of("dockerd", "containerd", "containerd-shim-runc-v2",
            "podman", "conmon");

    private MemoryFootprint() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        ObjectNode result = new ObjectMapper().createObjectNode();
        result.put("containers", n);
        String resource = Engine.available(DriverKind.RESOURCE, "cgroup-v1") ? "cgroup-v1" : "none";
        result.put("resourceDriver", resource);
        // First, while this JVM is no child subreaper yet (the in-process runs make it one): the daemon's processes
        // are then nobody's here.
        DaemonFootprint.measure(n, resource, result.putObject("daemon"));
        try (Engine engine = new Engine(resource)) {
            Path rootfs = Bundles.busyboxRootfs(engine.dir.resolve("rootfs"));
            inProcess(engine, rootfs, n, result.putObject("inProcess"));
            runc(engine.dir, engine.dir.resolve("state"), rootfs, n, result.putObject("runc"));
        }
        ObjectNode peers = result.putObject("daemonPeers");
        for (String peer : DAEMON_PEERS) {
            peers.put(peer, onPath(peer));
        }
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), result);
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).filter(d -> !d.isEmpty())
                .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    /** The in-process runtime in this JVM with N containers. */
    private static void inProcess(Engine engine, Path rootfs, int n, ObjectNode out) throws IOException {
        CreateOptions quiet = CreateOptions.DEFAULT.withStdio(new Stdio.Files(null, null, null));
        engine.runtime.run(StartupBenchmark.nextId("warm"), Bundles.write(engine.dir.resolve("warm"), rootfs,
                "jctr-bench-mem-warm-" + ProcessHandle.current().pid(), List.of("/bin/true")), quiet);
        Sample idle = Sample.take(engine.dir.resolve("state"));
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                String id = StartupBenchmark.nextId("mem");
                Path bundle = Bundles.write(engine.dir.resolve("b" + i), rootfs, "jctr-bench-" + id,
                        List.of("sleep", "3600"));
                engine.runtime.create(id, bundle, quiet);
                ids.add(id);
                engine.runtime.start(id);
            }
            Sample busy = Sample.take(engine.dir.resolve("state"));
            List<Long> inits = new ArrayList<>();
            for (String id : ids) {
                inits.add((long) engine.runtime.state(id).pid());
            }
            long others = ProcessHandle.current().children().filter(p -> !inits.contains(p.pid())).count();
            idle.put(out.putObject("idle"));
            busy.put(out.putObject("running"));
            ObjectNode per = out.putObject("perContainer");
            per.put("rssKiB", (busy.rssKiB - idle.rssKiB) / (double) n);
            per.put("heapKiB", (busy.heapBytes - idle.heapBytes) / 1024.0 / n);
            per.put("engineFds", (busy.fds - idle.fds) / (double) n);
            per.put("engineThreads", (busy.threads - idle.threads) / (double) n);
            per.put("processesOutsideContainer", others / (double) n);
            per.put("stateDirBytes", (busy.stateBytes - idle.stateBytes) / (double) n);
            System.out.printf("jctr in-process runtime: RSS idle %d KiB, with %d containers %d KiB: %.1f KiB, heap %.1f KiB, "
                    + "%.2f fds, %.2f threads, %.2f other processes, %.0f state bytes per container%n",
                    idle.rssKiB, n, busy.rssKiB, per.get("rssKiB").asDouble(), per.get("heapKiB").asDouble(),
                    per.get("engineFds").asDouble(), per.get("engineThreads").asDouble(),
                    per.get("processesOutsideContainer").asDouble(), per.get("stateDirBytes").asDouble());
        } finally {
            for (String id : ids) {
                engine.runtime.delete(id, true);
            }
        }
    }

    /** N detached runc containers: processes outside them and runc's state per container. */
    private static void runc(Path dir, Path stateTmpfs, Path rootfs, int n, ObjectNode out) throws IOException {
        Path root = Files.createDirectories(stateTmpfs.resolve("runc"));
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                String id = StartupBenchmark.nextId("memrunc");
                Path bundle = Bundles.write(dir.resolve("r" + i), rootfs, "jctr-bench-" + id, List.of("sleep", "3600"));
                Subprocess.run(List.of("runc", "--root", root.toString(), "run", "--detach", "--bundle",
                        bundle.toString(), id));
                ids.add(id);
            }
            // runc exits once the container runs: nothing of it stays resident. Its children re-parent to the
            // nearest subreaper (this JVM, which the in-process runs made one) or to init; count what is not sleep.
            long others = ProcessHandle.allProcesses().filter(p -> p.info().command().map(c -> c.contains("runc"))
                    .orElse(false)).count();
            out.put("residentProcesses", others);
            out.put("stateDirBytesPerContainer", du(root) / (double) n);
            System.out.printf("runc: %d resident runc processes for %d containers, %.0f state bytes per container%n",
                    others, n, du(root) / (double) n);
        } finally {
            for (String id : ids) {
                Subprocess.run(List.of("runc", "--root", root.toString(), "delete", "--force", id));
            }
            // The killed inits were re-parented to this JVM (a child subreaper): reap them.
            ProcessHandle.current().children().forEach(p -> p.onExit().join());
            FileTrees.deleteRecursively(root);
        }
    }

    static long du(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The engine's footprint at one moment. */
    record Sample(long rssKiB, long heapBytes, long fds, long threads, long stateBytes) {
        static Sample take(Path stateRoot) throws IOException {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            Runtime rt = Runtime.getRuntime();
            long rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
            long fds;
            try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
                fds = s.count();
            }
            long threads;
            try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
                threads = s.count();
            }
            return new Sample(rss, rt.totalMemory() - rt.freeMemory(), fds, threads, du(stateRoot));
        }

        void put(ObjectNode n) {
            n.put("rssKiB", rssKiB);
            n.put("heapKiB", heapBytes / 1024.0);
            n.put("fds", fds);
            n.put("threads", threads);
        }
    }
}
