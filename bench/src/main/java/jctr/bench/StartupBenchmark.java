package jctr.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jctr.kernel.layer.FileTrees;
import jctr.kernel.runtime.CreateOptions;
import jctr.kernel.spi.Stdio;
import jctr.kernel.spi.StorageDriver;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Start-up latency of a container running {@code /bin/true} on a busybox rootfs, from nothing to deleted:
 * jctr in-process (create + start + wait + delete through {@code ContainerRuntime.run}, for each driver
 * combination), jctr's runc-compatible CLI as a subprocess (JVM start included, with and without the AOT
 * cache), {@code runc run}, {@code crun run}, and the floor {@code unshare ... /bin/true}. Every runtime runs
 * the same bundle (runc's default config), with its state root on a tmpfs ({@link StateTmpfs}). SampleTime gives
 * mean and percentiles; the report divides each by runc's from the same run. Needs root.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 4, time = 10)
public class StartupBenchmark {

    private static final AtomicInteger IDS = new AtomicInteger();

    /** A unique container id within this fork (and across forks: the pid is part of it). */
    static String nextId(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + IDS.incrementAndGet();
    }

    /** A busybox rootfs and a bundle per runtime (each its own cgroup leaf), in one temp dir. */
    @State(Scope.Benchmark)
    public static class Bundle {
        Path tmp;
        Path rootfs;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            tmp = Files.createTempDirectory("jctr-bench-startup");
            rootfs = Bundles.busyboxRootfs(tmp.resolve("rootfs"));
            StateTmpfs.mount(tmp.resolve("state"));
        }

        /** A state root for one runtime, on the tmpfs. */
        Path stateRoot(String runtime) throws IOException {
            return Files.createDirectories(tmp.resolve("state").resolve(runtime));
        }

        /** The bundle named {@code name} running {@code /bin/true} on {@code root}. */
        Path bundle(String name, Path root) {
            return Bundles.write(tmp.resolve("bundle-" + name), root,
                    "jctr-bench-" + ProcessHandle.current().pid() + "-" + name, List.of("/bin/true"));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                StateTmpfs.unmount(tmp.resolve("state"));
            } finally {
                FileTrees.deleteRecursively(tmp);
            }
        }
    }

    /**
     * The in-process engine with resource driver {@code resource} and a rootfs that is the bundle's plain
     * directory ({@code dir}) or a container rootfs prepared once by the overlay or vfs driver (prepare is
     * measured in {@link StoragePrepareBenchmark}).
     */
    @State(Scope.Benchmark)
    public static class InProcess {
        @Param({"cgroup-v1", "none"})
        public String resource;

        @Param({"dir", "overlay", "vfs"})
        public String rootfs;

        Engine engine;
        StorageDriver storage;
        Path bundle;

        @Setup(Level.Trial)
        public void setUp(Bundle b) {
            engine = new Engine(resource);
            Path root = b.rootfs;
            if (!rootfs.equals("dir")) {
                storage = engine.storage(rootfs, Map.of());
                root = Engine.preparedRootfs(storage, "bench-rootfs", b.rootfs);
            }
            bundle = b.bundle("jctr-" + resource + "-" + rootfs, root);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (storage != null) {
                    storage.remove("bench-rootfs");
                    storage.removeLayer("bench-rootfs-layer");
                }
            } finally {
                engine.close();
            }
        }
    }

    /** The CLI, with or without the build's AOT cache. */
    @State(Scope.Benchmark)
    public static class Cli {
        @Param({"on", "off"})
        public String aot;

        Path bundle;
        Path stateRoot;

        @Setup(Level.Trial)
        public void setUp(Bundle b) throws IOException {
            if (aot.equals("on") && !Peers.aotCacheBuilt()) {
                throw new IllegalStateException("no AOT cache at mgmt/target/dist/jctr.aot: build with mvn package");
            }
            bundle = b.bundle("jctr-runc", b.rootfs);
            stateRoot = b.stateRoot("jctr-runc");
        }
    }

    /** runc's and crun's bundles and state roots. */
    @State(Scope.Benchmark)
    public static class Others {
        Path runcBundle;
        Path crunBundle;
        Path runcRoot;
        Path crunRoot;

        @Setup(Level.Trial)
        public void setUp(Bundle b) throws IOException {
            runcBundle = b.bundle("runc", b.rootfs);
            crunBundle = b.bundle("crun", b.rootfs);
            runcRoot = b.stateRoot("runc");
            crunRoot = b.stateRoot("crun");
        }
    }

    private static final CreateOptions QUIET = CreateOptions.DEFAULT.withStdio(new Stdio.Files(null, null, null));

    @Benchmark
    public int jctrInProcess(InProcess s) {
        int code = s.engine.runtime.run(nextId("jb"), s.bundle, QUIET);
        if (code != 0) {
            throw new IllegalStateException("/bin/true exited with " + code);
        }
        return code;
    }

    @Benchmark
    public void jctrRuncCli(Cli s) {
        Subprocess.run(Peers.jctrRunc(s.stateRoot, s.bundle, nextId("jr"), s.aot.equals("on")));
    }

    @Benchmark
    public void runc(Others s) {
        Subprocess.run(Peers.runc(s.runcRoot, s.runcBundle, nextId("rc")));
    }

    @Benchmark
    public void crun(Others s) {
        Subprocess.run(Peers.crun(s.crunRoot, s.crunBundle, nextId("cr")));
    }

    @Benchmark
    public void crunWrapper() {
        Subprocess.run(Peers.crunWrapper());
    }

    @Benchmark
    public void unshareFloor() {
        Subprocess.run(Peers.unshareFloor());
    }
}
