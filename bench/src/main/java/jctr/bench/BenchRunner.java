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
 * Runs the JMH benchmarks of one report (bench/run.sh calls it, then {@link CowCost} and {@link MemoryFootprint}
 * in JVMs of their own) and writes their JSON into the output directory.
 * <ul>
 *   <li>{@code full}: every start-up variant (the driver combinations this host can run, the CLI with and
 *       without the AOT cache, runc, crun, the floor), concurrency at 1, 2, 8 and 32, storage prepare; about a
 *       quarter of an hour;</li>
 *   <li>{@code quick}: what the CI gate compares with the baseline: jctr in-process (cgroup-v1, plain rootfs),
 *       the CLI with the AOT cache, and runc; vfs and overlay prepare and cp -a of a 100 MiB image; overlay with
 *       1 and 50 layers; a few minutes.</li>
 * </ul>
 *
 * <pre>java -cp bench.jar:lib/* jctr.bench.BenchRunner quick|full OUTDIR</pre>
 */
public final class BenchRunner {

    private BenchRunner() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("quick") || args[0].equals("full"))) {
            System.err.println("usage: BenchRunner quick|full OUTDIR");
            System.exit(2);
        }
        boolean quick = args[0].equals("quick");
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

        ChainedOptionsBuilder startup = base(root);
        if (quick) {
            startup.include(StartupBenchmark.class.getName() + "\\.(jctrInProcess|jctrRuncCli|runc)$")
                    .param("resource", resources.getFirst()).param("rootfs", "dir").param("aot", "on")
                    .warmupIterations(1).warmupTime(TimeValue.seconds(3))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(6));
        } else {
            startup.include(StartupBenchmark.class.getName() + "\\.")
                    .param("resource", resources.toArray(String[]::new))
                    .param("aot", Peers.aotCacheBuilt() ? new String[] {"on", "off"} : new String[] {"off"})
                    .warmupIterations(1).warmupTime(TimeValue.seconds(4))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(6));
            if (!crun) {
                startup.exclude("\\.crun");
            }
        }
        run(startup, out.resolve("jmh-startup.json"));

        if (!quick) {
            for (int threads : new int[] {1, 2, 8, 32}) {
                run(base(root).include(ConcurrencyBenchmark.class.getName() + "\\.").threads(threads)
                        .warmupIterations(1).warmupTime(TimeValue.seconds(2))
                        .measurementIterations(2).measurementTime(TimeValue.seconds(5)),
                        out.resolve("jmh-concurrency-" + threads + ".json"));
            }
        }

        ChainedOptionsBuilder storage = base(root).include(StoragePrepareBenchmark.class.getName() + "\\.");
        if (quick) {
            storage.param("sizeMiB", "100").param("layers", "1", "50").param("mountApi", "new")
                    .warmupIterations(1).measurementIterations(3)
                    .warmupTime(TimeValue.seconds(2)).measurementTime(TimeValue.seconds(3));
        }
        run(storage, out.resolve("jmh-storage.json"));

    }

    private static ChainedOptionsBuilder base(String root) {
        return new OptionsBuilder().forks(1).shouldFailOnError(true)
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "-Djctr.bench.root=" + root,
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
