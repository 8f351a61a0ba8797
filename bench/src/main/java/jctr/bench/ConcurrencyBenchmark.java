package jctr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jctr.kernel.layer.FileTrees;
import jctr.kernel.runtime.CreateOptions;
import jctr.kernel.spi.Stdio;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Start-up under concurrency: N benchmark threads (JMH {@code -t N}; the runner uses 1, 2, 8 and 32) each start
 * containers running {@code /bin/true} back to back, so N containers are starting at any moment: jctr
 * in-process (one shared {@code ContainerRuntime}, cgroup-v1) against {@code runc run} subprocesses. Each
 * thread has its own bundle and cgroup leaf; all share one rootfs. SampleTime gives each container's latency
 * (p50, p99); containers per second is N / mean latency (Little's law over the steady state). Needs root.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 10)
public class ConcurrencyBenchmark {

    private static final CreateOptions QUIET = CreateOptions.DEFAULT.withStdio(new Stdio.Files(null, null, null));

    /** The rootfs, the in-process engine and runc's state root, shared by all threads. */
    @State(Scope.Benchmark)
    public static class Shared {
        Path tmp;
        Path rootfs;
        Engine engine;
        Path runcRoot;
        final AtomicInteger threads = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            tmp = Files.createTempDirectory("jctr-bench-concurrency");
            rootfs = Bundles.busyboxRootfs(tmp.resolve("rootfs"));
            engine = new Engine(Engine.available(jctr.kernel.registry.DriverKind.RESOURCE, "cgroup-v1")
                    ? "cgroup-v1" : "none");
            runcRoot = Files.createDirectories(StateTmpfs.mount(tmp.resolve("state")).resolve("runc"));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                engine.close();
                StateTmpfs.unmount(tmp.resolve("state"));
            } finally {
                FileTrees.deleteRecursively(tmp);
            }
        }
    }

    /** One thread's bundle (its own cgroup leaf, so concurrent containers never share one). */
    @State(Scope.Thread)
    public static class PerThread {
        Path bundle;

        @Setup(Level.Trial)
        public void setUp(Shared s) {
            String name = "conc-" + ProcessHandle.current().pid() + "-" + s.threads.incrementAndGet();
            bundle = Bundles.write(s.tmp.resolve(name), s.rootfs, "jctr-bench-" + name, List.of("/bin/true"));
        }
    }

    @Benchmark
    public int jctrInProcess(Shared s, PerThread t) {
        int code = s.engine.runtime.run(StartupBenchmark.nextId("jc"), t.bundle, QUIET);
        if (code != 0) {
            throw new IllegalStateException("/bin/true exited with " + code);
        }
        return code;
    }

    @Benchmark
    public void runc(Shared s, PerThread t) {
        Subprocess.run(Peers.runc(s.runcRoot, t.bundle, StartupBenchmark.nextId("rc")));
    }
}
