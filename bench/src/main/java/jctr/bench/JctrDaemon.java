package jctr.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jctr.kernel.layer.FileTrees;

/**
 * A {@code jctr daemon} of the built distribution ({@code bin/jctr daemon}, mgmt/target/dist) that belongs to one
 * benchmark: its own state root (a {@link StateTmpfs}, as /run/jctr is on a standard host), data root, socket and
 * configuration file, its containers' cgroups under {@link BenchCgroups#parent()}, and no JCTR_* variable of the
 * caller's environment. So it never meets the state of a daemon someone else runs.
 *
 * <p>{@link #close} leaves nothing: it removes the containers through the API, stops the daemon (SIGTERM, then
 * SIGKILL), and then sweeps what a failure may have left: monitor processes (their executable is under the state
 * root) and their containers, mounts under the directory, the containers' cgroups, the directory. A shutdown hook
 * does the same when the benchmark JVM is interrupted.
 */
final class JctrDaemon implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final Path stateRoot;
    final Path dataRoot;
    final Path socket;
    final UnixHttp api;
    private final Path config;
    private final Path log;
    private final Set<Path> cgroupsBefore;
    private final List<String> containers = new ArrayList<>();
    private final Thread hook = new Thread(this::close, "jctr-bench-daemon-cleanup");
    private Process process;
    private boolean closed;

    /** Prepares the roots and configuration; {@code resourceDriver} is {@code cgroup-v1} or {@code none}. */
    JctrDaemon(String resourceDriver) throws IOException {
        dir = Files.createTempDirectory("jctr-bench-daemon");
        Runtime.getRuntime().addShutdownHook(hook);
        stateRoot = StateTmpfs.mount(dir.resolve("state"));
        dataRoot = dir.resolve("data");
        socket = dir.resolve("jctr.sock");
        api = new UnixHttp(socket);
        log = dir.resolve("daemon.log");
        BenchCgroups.ensure();
        cgroupsBefore = benchCgroups();
        ObjectNode c = JSON.createObjectNode();
        c.putObject("drivers").put("isolation", "namespaces").put("resource", resourceDriver).put("storage", "auto");
        c.put("stateRoot", stateRoot.toString()).put("dataRoot", dataRoot.toString());
        // Relative cgroup paths (the engine gives none: each container's cgroup is named by its id) go below the
        // benchmark's parent, the only place this machine lets tests make cgroups.
        c.putObject("driverOptions").putObject("cgroup-v1").put("parent", BenchCgroups.parent().substring(1));
        config = dir.resolve("config.json");
        JSON.writeValue(config.toFile(), c);
    }

    /** {@code bin/jctr} of the checkout. */
    static Path launcher() {
        return Peers.projectRoot().resolve("bin/jctr");
    }

    /** A command of the distribution against this daemon's configuration, without the caller's JCTR_* variables. */
    private ProcessBuilder jctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of(launcher().toString(), "--config", config.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("JCTR_") && !k.equals("JCTR_JAVA"));
        return pb;
    }

    /** Makes the busybox image (scripts/busybox-image.sh) and imports it as {@code busybox} ({@code jctr image import}). */
    void importBusybox() {
        Path layout = dir.resolve("busybox-oci");
        Subprocess.run(List.of(Peers.projectRoot().resolve("scripts/busybox-image.sh").toString(), layout.toString()));
        Subprocess.run(jctr("image", "import", layout.toString(), "busybox"));
    }

    /** Starts the daemon and returns once it answers {@code /_ping}; returns the milliseconds that took. */
    double start() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        process = jctr("daemon", "-H", "unix://" + socket).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("jctr daemon exited with " + process.exitValue() + ": " + logTail());
            }
            if (Files.exists(socket)) {
                try {
                    if (api.send("GET", "/_ping", null).status() == 200) {
                        return (System.nanoTime() - t0) / 1e6;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("jctr daemon did not answer /_ping within 90 s: " + logTail());
            }
            Thread.sleep(50);
        }
    }

    /** The daemon's pid (the JVM's: bin/jctr execs java). */
    long pid() {
        return process.pid();
    }

    /** The end of the daemon's output, for error messages. */
    String logTail() {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            return s.substring(Math.max(0, s.length() - 2000)).strip();
        } catch (IOException e) {
            return "(no daemon log: " + e + ")";
        }
    }

    /** GET {@code path} as JSON. */
    JsonNode get(String path) throws IOException {
        return JSON.readTree(api.expect2xx("GET", path, null));
    }

    /** Creates container {@code name} from the busybox image running {@code cmd}; returns its id. */
    String create(String name, List<String> cmd) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("Image", "busybox");
        cmd.forEach(body.putArray("Cmd")::add);
        String id = JSON.readTree(api.expect2xx("POST", "/containers/create?name=" + name, body.toString()))
                .get("Id").asText();
        containers.add(id);
        return id;
    }

    void startContainer(String id) throws IOException {
        api.expect2xx("POST", "/containers/" + id + "/start", null);
    }

    /** Waits until container {@code id} has exited; returns its exit code. */
    int waitFor(String id) throws IOException {
        return JSON.readTree(api.expect2xx("POST", "/containers/" + id + "/wait", null)).get("StatusCode").asInt();
    }

    /** Removes container {@code id}, killing it if it runs ({@code docker rm -f}). */
    void remove(String id) throws IOException {
        api.expect2xx("DELETE", "/containers/" + id + "?force=1", null);
        containers.remove(id);
    }

    /** The ids of the containers created and not yet removed. */
    List<String> containers() {
        return List.copyOf(containers);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // running as the shutdown hook itself
        }
        try {
            if (process != null && process.isAlive()) {
                for (String id : containers()) {
                    try {
                        remove(id);
                    } catch (IOException e) {
                        System.err.println("bench: cannot remove container " + id + " through the API: " + e.getMessage());
                    }
                }
            }
            stop();
        } finally {
            sweep();
        }
    }

    /** SIGTERM, and SIGKILL if the daemon has not exited within 30 s. */
    private void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                System.err.println("bench: the jctr daemon ignored SIGTERM for 30 s, killing it");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Removes whatever a failed run left: monitors and their containers, mounts, cgroups, the directory. */
    private void sweep() {
        try {
            Map<Long, Long> parents = ProcFs.parents();
            Set<Long> left = ProcFs.withDescendants(ProcFs.runningFrom(stateRoot, parents), parents);
            for (long pid : left) {
                System.err.println("bench: killing leftover process " + pid + " of the jctr daemon's containers");
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            for (long pid : left) {
                ProcessHandle.of(pid).ifPresent(p -> {
                    try {
                        p.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        System.err.println("bench: process " + pid + " outlived SIGKILL for 10 s: " + e);
                    }
                });
            }
            for (Path m : mountsUnder(dir)) {
                if (!m.equals(stateRoot)) {
                    System.err.println("bench: unmounting leftover " + m);
                    Subprocess.run(List.of("umount", "--lazy", m.toString()));
                }
            }
            removeNewCgroups();
        } finally {
            try {
                StateTmpfs.unmount(stateRoot);
            } finally {
                FileTrees.deleteRecursively(dir);
            }
        }
    }

    /** Mount points under {@code dir}, deepest first. */
    static List<Path> mountsUnder(Path dir) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(l -> Path.of(l.split(" ")[4].replace("\\040", " "))).filter(p -> p.startsWith(dir))
                    .sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cgroups below the benchmark's parent in every v1 hierarchy. */
    private static Set<Path> benchCgroups() {
        Set<Path> out = new LinkedHashSet<>();
        try (Stream<Path> roots = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path root : roots.toList()) {
                Path parent = root.resolve(BenchCgroups.parent().substring(1));
                if (Files.isDirectory(parent)) {
                    try (Stream<Path> s = Files.list(parent)) {
                        s.filter(Files::isDirectory).forEach(out::add);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Removes the cgroups that appeared below the parent since this daemon was set up (the engine's leftovers). */
    private void removeNewCgroups() {
        Set<Path> left = benchCgroups();
        left.removeAll(cgroupsBefore);
        for (Path cg : left) {
            System.err.println("bench: removing leftover cgroup " + cg);
            // A cgroup whose last process has just exited may still be busy for a moment.
            for (int attempt = 0; attempt < 50 && Files.exists(cg); attempt++) {
                try {
                    Files.delete(cg);
                } catch (IOException e) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
