package jctr.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jctr.kernel.registry.DriverKind;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of a full report (bench/run.sh calls it, then {@link CowCost}, {@link MemoryFootprint}
 * and {@link PairedRatios} in JVMs of their own) and writes their JSON into the output directory: every start-up
 * variant (the driver combinations this host can run, the CLI with and without the AOT cache, runc, crun, the
 * floor), concurrency at 1, 2, 8 and 32, and storage prepare; about a quarter of an hour.
 *
 * <pre>java -cp bench.jar:lib/* jctr.bench.BenchRunner full OUTDIR</pre>
 */
public final class BenchRunner {

    private BenchRunner() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("full")) {
            System.err.println("usage: BenchRunner full OUTDIR");
            System.exit(2);
        }
        Path out = Files.createDirectories(Path.of(args[1]));
        String root = Peers.projectRoot().toAbsolutePath().toString();

        List<String> resources = new ArrayList<>();
        for (String r : List.of("cgroup-v1", "cgroup-v2")) {
            if (Engine.available(DriverKind.RESOURCE, r)) {
                resources.add(r);
            } else {
                System.out.println("bench: resource driver " + r + " cannot run here: not measured");
            }
        }
        resources.add("none");
        boolean crun = onPath("crun");

        ChainedOptionsBuilder startup = base(root).include(StartupBenchmark.class.getName() + "\\.")
                .param("resource", resources.toArray(String[]::new))
                .param("aot", Peers.aotCacheBuilt() ? new String[] {"on", "off"} : new String[] {"off"})
                .warmupIterations(1).warmupTime(TimeValue.seconds(4))
                .measurementIterations(3).measurementTime(TimeValue.seconds(6));
        if (!crun) {
            startup.exclude("\\.crun");
        }
        run(startup, out.resolve("jmh-startup.json"));

        for (int threads : new int[] {1, 2, 8, 32}) {
            // Eight seconds of warm-up: each N is a new fork, and the in-process engine must be JIT-compiled
            // (with two seconds, N = 1 measured 64 ms per container against 9.5 ms in the start-up benchmark).
            run(base(root).include(ConcurrencyBenchmark.class.getName() + "\\.").threads(threads)
                    .warmupIterations(1).warmupTime(TimeValue.seconds(8))
                    .measurementIterations(2).measurementTime(TimeValue.seconds(5)),
                    out.resolve("jmh-concurrency-" + threads + ".json"));
        }

        run(base(root).include(StoragePrepareBenchmark.class.getName() + "\\."), out.resolve("jmh-storage.json"));

    }

    private static ChainedOptionsBuilder base(String root) {
        return new OptionsBuilder().forks(1).shouldFailOnError(true)
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "-Djctr.bench.root=" + root,
                        "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                        "-Djctr.test.busybox=" + System.getProperty("jctr.test.busybox", "/bin/busybox"))
                .resultFormat(ResultFormatType.JSON);
    }

    private static void run(ChainedOptionsBuilder options, Path result) throws Exception {
        new Runner(options.result(result.toString()).build()).run();
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
