package jctr.mgmt.cli.runc;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

import jctr.kernel.config.EngineConfig;
import jctr.kernel.host.HostInfo;
import jctr.kernel.oci.OciJson;
import jctr.kernel.oci.ProcessSpec;
import jctr.kernel.oci.Root;
import jctr.kernel.oci.Spec;
import jctr.kernel.registry.DriverKind;
import jctr.kernel.registry.DriverRegistry;
import jctr.kernel.spi.Driver;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.testing.BusyboxRootfs;
import jctr.kernel.testing.RootOnly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives {@code bin/jctr-runc} (and {@code runc}) as processes for the integration tests, builds busybox
 * bundles, and takes inventories of what a test could leak: mounts, processes and cgroups that belong to
 * its work directory or its container ids, and entries under its state root.
 */
final class RuncHarness implements AutoCloseable {

    /** Output goes to files, not pipes: a created container keeps the launcher's stdout open. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Everything of a test that could outlive it. */
    record Inventory(List<String> mounts, List<String> processes, List<String> cgroups, List<String> stateEntries) {
    }

    final Path work;
    final Path root;
    final String prefix;
    final String resourceDriver;
    /** Processes from {@link #start}: a failed test may leave them waiting for a container. */
    private final List<Process> started = new ArrayList<>();

    RuncHarness(Path work) {
        this.work = work;
        this.root = work.resolve("state");
        this.prefix = "jit" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        this.resourceDriver = resourceDriverForTests();
    }

    /** Skips the test (loudly) unless root and the namespaces isolation driver can run here. */
    static void assumeRuntimeWorks() {
        RootOnly.assumeRoot();
        ProbeResult p = probe(DriverKind.ISOLATION, "namespaces");
        Assumptions.assumeTrue(p.available(), "SKIPPED: the namespaces isolation driver cannot run here: " + p.detail());
    }

    /** Skips the test (loudly) unless a cgroup resource driver can run here. */
    void assumeCgroups() {
        Assumptions.assumeTrue(!resourceDriver.equals("none"),
                "SKIPPED: no cgroup resource driver can run here (pause/update/events need one)");
    }

    private static ProbeResult probe(DriverKind kind, String name) {
        HostInfo host = HostInfo.detect();
        DriverRegistry registry = DriverRegistry.load();
        var ctx = EngineConfig.DEFAULTS.driverContext(host);
        return registry.drivers(kind).stream().filter(d -> d.name().equals(name)).findFirst()
                .map(d -> registry.probe(d, ctx)).orElse(ProbeResult.unavailable("not installed"));
    }

    /** {@code auto} when some cgroup driver works here, else {@code none}. */
    private static String resourceDriverForTests() {
        HostInfo host = HostInfo.detect();
        DriverRegistry registry = DriverRegistry.load();
        var ctx = EngineConfig.DEFAULTS.driverContext(host);
        for (Driver d : registry.drivers(DriverKind.RESOURCE)) {
            if (d.autoPriority() > 0 && registry.probe(d, ctx).available()) {
                return "auto";
            }
        }
        return "none";
    }

    static Path projectRoot() {
        return Path.of(System.getProperty("jctr.project.root"));
    }

    /** {@code bin/jctr-runc --root <root> args...}. */
    Result jctr(String... args) {
        return exec(jctrCommand(args), Map.of("JCTR_RESOURCE_DRIVER", resourceDriver));
    }

    private List<String> jctrCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(projectRoot().resolve("bin/jctr-runc").toString(), "--root",
                root.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code runc --root <runcRoot> args...}. */
    Result runc(Path runcRoot, String... args) {
        List<String> cmd = new ArrayList<>(List.of("runc", "--root", runcRoot.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd, Map.of());
    }

    /** A process that runs while the test goes on; its output goes to files. */
    record Running(List<String> command, Process process, Path out, Path err) {

        /** What it printed to stdout so far. */
        String outSoFar() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits for its exit (at most 120 s) and returns what it printed. */
        Result await() {
            try {
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
                }
                return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Starts {@code bin/jctr-runc --root <root> args...} without waiting for it; {@link #close} ends it. */
    Running start(String... args) {
        Running r = spawn(jctrCommand(args), Map.of("JCTR_RESOURCE_DRIVER", resourceDriver));
        started.add(r.process());
        return r;
    }

    Result exec(List<String> cmd, Map<String, String> env) {
        Running r = spawn(cmd, env);
        Result result = r.await();
        try {
            Files.delete(r.out());
            Files.delete(r.err());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    private Running spawn(List<String> cmd, Map<String, String> env) {
        try {
            Path out = Files.createTempFile(work, "out", ".txt");
            Path err = Files.createTempFile(work, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().putAll(env);
            return new Running(List.copyOf(cmd), pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The id {@code name} made unique to this test run (cgroups and state are named after it). */
    String id(String name) {
        return prefix + "-" + name;
    }

    /**
     * A busybox bundle: runc's default config with no terminal, a writable root, {@code args}, a cgroup under
     * the tests' parent {@code /jctr-test}, then {@code tweak}.
     */
    Path bundle(String name, List<String> args, UnaryOperator<Spec> tweak) {
        Path dir = work.resolve("bundle-" + name);
        BusyboxRootfs.create(dir.resolve("rootfs"));
        Spec base = SpecCommand.runcDefault();
        ProcessSpec process = base.process().withTerminal(false).withArgs(args);
        Spec spec = base.withProcess(process).withRoot(new Root("rootfs", false))
                .withLinux(base.linux().withCgroupsPath("/jctr-test/" + id(name)));
        writeConfig(dir, tweak.apply(spec));
        return dir;
    }

    Path bundle(String name, String... args) {
        return bundle(name, List.of(args), s -> s);
    }

    static void writeConfig(Path bundle, Spec spec) {
        try {
            Files.writeString(bundle.resolve("config.json"), OciJson.write(spec));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The state JSON's status, or "absent" when jctr-runc state fails. */
    String status(String id) {
        Result r = jctr("state", id);
        if (r.exit() != 0) {
            return "absent";
        }
        try {
            return OciJson.mapper().readTree(r.out()).get("status").asText();
        } catch (IOException e) {
            throw new AssertionError(r.toString(), e);
        }
    }

    static boolean await(BooleanSupplier condition, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** What this test owns right now. */
    Inventory inventory() {
        return new Inventory(mounts(), processes(), cgroups(), stateEntries());
    }

    private List<String> mounts() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(l -> l.contains(work.toString()) || l.contains(prefix)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Processes whose root or working directory lies in the work dir, or whose command line names our ids. */
    private List<String> processes() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(q -> q.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    String rootLink = Files.readSymbolicLink(p.resolve("root")).toString();
                    String cwd = Files.readSymbolicLink(p.resolve("cwd")).toString();
                    String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                    String stat = Files.readString(p.resolve("stat"));
                    boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
                    if (!zombie && (rootLink.startsWith(work.toString()) || cwd.startsWith(work.toString())
                            || cmdline.contains(prefix))) {
                        out.add(p.getFileName() + " " + cmdline);
                    }
                } catch (IOException e) {
                    // gone meanwhile, or a kernel thread
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private List<String> cgroups() {
        TreeSet<String> out = new TreeSet<>();
        Path root = Path.of("/sys/fs/cgroup");
        // v1 and hybrid: one hierarchy per directory in /sys/fs/cgroup; unified (the v2 guest): the root itself
        try (Stream<Path> hierarchies = Stream.concat(Stream.of(root), Files.list(root))) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve("jctr-test");
                if (Files.isDirectory(parent)) {
                    try (Stream<Path> children = Files.list(parent)) {
                        children.filter(c -> c.getFileName().toString().startsWith(prefix))
                                .forEach(c -> out.add(c.toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(out);
    }

    /** Container directories under the state root (not {@code drivers/}, where drivers keep engine-wide files). */
    private List<String> stateEntries() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !n.equals("drivers")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts that nothing of this test is left but what {@code before} already had. */
    void assertNothingLeftSince(Inventory before) {
        assertTrue(await(() -> inventory().processes().equals(before.processes()), 10_000),
                "processes left behind: " + inventory().processes());
        assertEquals(before, inventory(), "something was left behind");
    }

    /**
     * Force-deletes every container under the state root, ends the jctr-runc processes a failing test left
     * running, and removes cgroups a failing test left.
     */
    @Override
    public void close() {
        if (Files.isDirectory(root)) {
            Result list = jctr("list", "-q");
            for (String id : list.out().lines().filter(s -> !s.isBlank()).toList()) {
                jctr("delete", "--force", id);
            }
        }
        for (Process p : started) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String cg : cgroups()) {
            try {
                Files.deleteIfExists(Path.of(cg));
            } catch (IOException e) {
                // still populated: the assertion of the test reports it
            }
        }
    }
}
