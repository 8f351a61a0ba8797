package jctr.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jctr.kernel.registry.DriverKind;
import jctr.kernel.runtime.CreateOptions;
import jctr.kernel.spi.Stdio;
import jctr.kernel.spi.StorageDriver;

/**
 * The ratios the CI gate compares, measured in pairs. On this shared machine the load changes from one minute to
 * the next, and two JMH benchmarks run minutes apart: their ratio moved by a factor of 3 to 7 between runs (vfs
 * prepare against cp -a) where the paired ratio moves by tens of percent. Here each round runs jctr's operation
 * and its peer's back to back, in alternating order, so both see the same load; a round's ratio is jctr's time over
 * the peer's, and the result is the median over the rounds. Each ratio is its own series of rounds.
 * <ul>
 *   <li>{@code startup.inProcess/runc}: {@code ContainerRuntime.run} of {@code /bin/true} (cgroup-v1, plain
 *       rootfs) over {@code runc run} of the same bundle;</li>
 *   <li>{@code startup.cli/runc}: {@code bin/jctr-runc run} (with the AOT cache when built) over {@code runc run};</li>
 *   <li>{@code prepare.vfs/cp}, {@code prepare.overlay/cp}: vfs prepare (and the median of ten overlay prepares)
 *       of a 100 MiB one-layer image over {@code cp -a} of the same tree (each followed by an untimed removal and
 *       sync);</li>
 *   <li>{@code prepare.overlay50/overlay1}: overlay prepare of a 50-layer image over a 1-layer one (median of 10
 *       each per round).</li>
 * </ul>
 *
 * <pre>java -cp ... jctr.bench.PairedRatios OUT.json STARTUP_ROUNDS PREPARE_ROUNDS</pre>
 */
public final class PairedRatios {

    /** The median of the last round's overlay prepares. */
    private static final ThreadLocal<Double> OVERLAY_MEDIAN = new ThreadLocal<>();

    private static final CreateOptions QUIET = CreateOptions.DEFAULT.withStdio(new Stdio.Files(null, null, null));

    private PairedRatios() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int startupRounds = Integer.parseInt(args[1]);
        int prepareRounds = Integer.parseInt(args[2]);
        ObjectMapper json = new ObjectMapper();
        ObjectNode result = json.createObjectNode();
        ObjectNode ratios = result.putObject("ratios");
        ObjectNode rounds = result.putObject("rounds");
        String resource = Engine.available(DriverKind.RESOURCE, "cgroup-v1") ? "cgroup-v1" : "none";
        result.put("resourceDriver", resource);
        result.put("aotCache", Peers.aotCacheBuilt());
        try (Engine engine = new Engine(resource)) {
            startup(engine, startupRounds, ratios, rounds);
            prepare(engine, prepareRounds, ratios, rounds);
        }
        json.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), result);
        System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(ratios));
    }

    private static void startup(Engine engine, int n, ObjectNode ratios, ObjectNode rounds) throws Exception {
        Path rootfs = Bundles.busyboxRootfs(engine.dir.resolve("rootfs"));
        Path jctr = Bundles.write(engine.dir.resolve("b-jctr"), rootfs, "paired-jctr", List.of("/bin/true"));
        Path runc = Bundles.write(engine.dir.resolve("b-runc"), rootfs, "paired-runc", List.of("/bin/true"));
        Path cli = Bundles.write(engine.dir.resolve("b-cli"), rootfs, "paired-cli", List.of("/bin/true"));
        Path runcRoot = Files.createDirectories(engine.dir.resolve("state/runc"));
        Path cliRoot = Files.createDirectories(engine.dir.resolve("state/cli"));
        boolean aot = Peers.aotCacheBuilt();
        Runnable inProcess = () -> {
            int code = engine.runtime.run(StartupBenchmark.nextId("pj"), jctr, QUIET);
            if (code != 0) {
                throw new IllegalStateException("/bin/true exited with " + code);
            }
        };
        Runnable runcRun = () -> Subprocess.run(Peers.runc(runcRoot, runc, StartupBenchmark.nextId("pr")));
        Runnable cliRun = () -> Subprocess.run(Peers.jctrRunc(cliRoot, cli, StartupBenchmark.nextId("pc"), aot));
        // The in-process engine is measured warm, as a long-running engine is: ten seconds of runs (a few
        // hundred) get its Java code compiled. With 30 runs it was measured half interpreted, 3-4x slower.
        for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end; ) {
            inProcess.run();
        }
        runcRun.run();
        cliRun.run();
        // Two series, each alternating only its pair: a CLI run burns half a second of CPU in a JVM whose exit
        // and container clean-up overlap whatever runs next, which made the in-process runs after it slower.
        double[] in = new double[n];
        double[] cl = new double[n];
        ArrayNode raw = rounds.putArray("startupMs");
        for (int i = 0; i < n; i++) {
            double[] t = pair(runcRun, inProcess, i % 2 == 0);
            in[i] = t[1] / t[0];
            raw.addObject().put("runc", t[0]).put("inProcess", t[1]);
        }
        for (int i = 0; i < n; i++) {
            double[] t = pair(runcRun, cliRun, i % 2 == 0);
            cl[i] = t[1] / t[0];
            ((ObjectNode) raw.get(i)).put("runcBesideCli", t[0]).put("cli", t[1]);
        }
        ratios.put("startup.inProcess/runc.p50", median(in));
        ratios.put("startup.cli/runc.p50", median(cl));
    }

    private static void prepare(Engine engine, int n, ObjectNode ratios, ObjectNode rounds) throws Exception {
        Path tree = engine.dir.resolve("image");
        Random random = new Random(42);
        long left = 100L << 20;
        for (int f = 0; left > 0; f++) {
            Path dir = Files.createDirectories(tree.resolve("dir" + f / 50));
            byte[] data = new byte[(int) Math.min(left, 8192 + random.nextInt(92 * 1024))];
            random.nextBytes(data);
            Files.write(dir.resolve("file" + f), data);
            left -= data.length;
        }
        StorageDriver vfs = engine.storage("vfs", Map.of());
        StorageDriver overlay = engine.storage("overlay", Map.of());
        Engine.createLayer(vfs, "image", null, tree);
        Engine.createLayer(overlay, "image", null, tree);
        String parent = null;
        List<String> layers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Path src = Files.createDirectories(engine.dir.resolve("layers/l" + i + "/usr/share/layer" + i));
            for (int f = 0; f < 20; f++) {
                Files.writeString(src.resolve("file" + f), "layer " + i + " file " + f + "\n");
            }
            Engine.createLayer(overlay, "l" + i, parent, engine.dir.resolve("layers/l" + i));
            layers.add("l" + i);
            parent = "l" + i;
        }
        Subprocess.run(List.of("sync"));
        Path cpTarget = engine.dir.resolve("cp");
        Map<String, Runnable> ops = new LinkedHashMap<>();
        ops.put("cp", () -> Subprocess.run(List.of("cp", "-a", tree.toString(), cpTarget.toString())));
        ops.put("vfs", () -> vfs.prepare("c", List.of("image")));
        // A few milliseconds against a second: one overlay prepare per round was all noise (the ratio spread by a
        // factor of 7 over five runs), so a round takes the median of ten.
        ops.put("overlay", () -> {
            double[] t = new double[10];
            for (int k = 0; k < t.length; k++) {
                t[k] = time(() -> overlay.prepare("c", List.of("image")));
                overlay.remove("c");
            }
            OVERLAY_MEDIAN.set(median(t));
        });
        Map<String, Runnable> undo = Map.of(
                "cp", () -> jctr.kernel.layer.FileTrees.deleteRecursively(cpTarget),
                "vfs", () -> vfs.remove("c"),
                "overlay", () -> { });
        for (String op : ops.keySet()) { // warm-up
            ops.get(op).run();
            undo.get(op).run();
        }
        double[] vfsCp = new double[n];
        double[] ovCp = new double[n];
        double[] ov50 = new double[n];
        ArrayNode raw = rounds.putArray("prepareMs");
        for (int i = 0; i < n; i++) {
            ObjectNode r = raw.addObject();
            List<String> order = new ArrayList<>(ops.keySet());
            if (i % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (String op : order) {
                Subprocess.run(List.of("sync"));
                double t = time(ops.get(op));
                r.put(op, op.equals("overlay") ? OVERLAY_MEDIAN.get() : t);
                undo.get(op).run();
            }
            Subprocess.run(List.of("sync"));
            double[] one = new double[10];
            double[] fifty = new double[10];
            for (int k = 0; k < 10; k++) {
                one[k] = time(() -> overlay.prepare("o1", layers.subList(0, 1)));
                overlay.remove("o1");
                fifty[k] = time(() -> overlay.prepare("o50", layers));
                overlay.remove("o50");
            }
            r.put("overlay1", median(one)).put("overlay50", median(fifty));
            vfsCp[i] = r.get("vfs").asDouble() / r.get("cp").asDouble();
            ovCp[i] = r.get("overlay").asDouble() / r.get("cp").asDouble();
            ov50[i] = median(fifty) / median(one);
        }
        for (int i = layers.size() - 1; i >= 0; i--) {
            overlay.removeLayer(layers.get(i));
        }
        overlay.removeLayer("image");
        vfs.removeLayer("image");
        ratios.put("prepare.vfs/cp.100MiB", median(vfsCp));
        ratios.put("prepare.overlay/cp.100MiB", median(ovCp));
        ratios.put("prepare.overlay50/overlay1", median(ov50));
    }

    /** The times of {@code peer} and {@code ours} run back to back, the peer first or second. */
    private static double[] pair(Runnable peer, Runnable ours, boolean peerFirst) {
        if (peerFirst) {
            double p = time(peer);
            return new double[] {p, time(ours)};
        }
        double o = time(ours);
        return new double[] {time(peer), o};
    }

    private static double time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
