package jctr.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jctr.kernel.layer.FileTrees;
import jctr.kernel.runtime.CreateOptions;
import jctr.kernel.spi.Stdio;
import jctr.kernel.spi.StorageDriver;

/**
 * Copy-on-write cost of the overlay driver, seen from inside a running container. The image's top layer
 * holds files of 4 KiB, 1 MiB, 64 MiB and 256 MiB (several of each, random content); the container runs a
 * busybox shell that reads one command per line from a FIFO, runs it (builtins only: no fork) and answers
 * "ok" on another FIFO. The benchmark times each round trip with {@code System.nanoTime}:
 * <ul>
 *   <li>baseline: {@code :} (nothing), the cost of the round trip itself;</li>
 *   <li>first write: {@code echo x >> /data/<file>}, which makes overlayfs copy the whole file up from the
 *       lower layer before appending (the copy-up);</li>
 *   <li>rewrite: the same command again, on the file now in the upper layer.</li>
 * </ul>
 * First write and rewrite are reported minus the median baseline. Each file is written only once, so each
 * sample is a real copy-up. The lower files were just written when the layer was made, so they are read from
 * the page cache (as right after a pull); the upper layer is on the same file system as the lower.
 * Not JMH: the quantity is a time measured inside one long-running container, not a method's duration.
 *
 * <pre>java -cp ... jctr.bench.CowCost OUT.json [quick]</pre>
 */
public final class CowCost {

    private static final Map<String, Long> SIZES = sizes();

    private CowCost() {
    }

    private static Map<String, Long> sizes() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("4k", 4096L);
        m.put("1m", 1L << 20);
        m.put("64m", 64L << 20);
        m.put("256m", 256L << 20);
        return m;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        boolean quick = args.length > 1 && args[1].equals("quick");
        Map<String, Integer> files = new LinkedHashMap<>();
        SIZES.keySet().forEach(k -> files.put(k, quick ? (k.equals("256m") ? 2 : 4) : (k.endsWith("m") && !k.equals("1m")
                ? (k.equals("256m") ? 5 : 8) : 30)));
        ObjectNode result = new ObjectMapper().createObjectNode();
        try (Engine engine = new Engine("none")) {
            StorageDriver overlay = engine.storage("overlay", Map.of());
            Path tmp = engine.dir.resolve("cow");
            Path base = Bundles.busyboxRootfs(tmp.resolve("base"));
            Path data = tmp.resolve("data-layer");
            Random random = new Random(7);
            byte[] chunk = new byte[1 << 20];
            for (var e : files.entrySet()) {
                for (int i = 0; i < e.getValue(); i++) {
                    Path f = Files.createDirectories(data.resolve("data")).resolve(e.getKey() + "-" + i);
                    try (var o = Files.newOutputStream(f)) {
                        for (long left = SIZES.get(e.getKey()); left > 0; left -= chunk.length) {
                            random.nextBytes(chunk);
                            o.write(chunk, 0, (int) Math.min(left, chunk.length));
                        }
                    }
                }
            }
            Engine.createLayer(overlay, "base", null, base);
            Engine.createLayer(overlay, "data", "base", data);
            FileTrees.deleteRecursively(data);
            Path rootfs = Path.of(overlay.prepare("cow", List.of("base", "data")).path());
            try {
                measure(engine, tmp, rootfs, files, result);
            } finally {
                overlay.remove("cow");
                overlay.removeLayer("data");
                overlay.removeLayer("base");
            }
        }
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), result);
    }

    private static void measure(Engine engine, Path tmp, Path rootfs, Map<String, Integer> files, ObjectNode result)
            throws IOException {
        Path in = tmp.resolve("in.fifo");
        Path outFifo = tmp.resolve("out.fifo");
        Subprocess.run(List.of("mkfifo", in.toString(), outFifo.toString()));
        Path bundle = Bundles.write(tmp.resolve("bundle"), rootfs, "jctr-bench-cow-" + ProcessHandle.current().pid(),
                List.of("sh", "-c", "while read -r line; do eval \"$line\"; echo ok; done"));
        Bundles.writableRoot(bundle);
        String id = StartupBenchmark.nextId("cow");
        // Opened read-write, a FIFO never blocks on open: the launcher opens the other ends.
        try (RandomAccessFile toShell = new RandomAccessFile(in.toFile(), "rw");
             RandomAccessFile fromShell = new RandomAccessFile(outFifo.toFile(), "rw")) {
            engine.runtime.create(id, bundle, CreateOptions.DEFAULT.withStdio(
                    new Stdio.Files(in, outFifo, tmp.resolve("stderr.txt"))));
            try {
                engine.runtime.start(id);
                for (int i = 0; i < 200; i++) {
                    roundTrip(toShell, fromShell, ":");
                }
                long[] baseline = new long[200];
                for (int i = 0; i < baseline.length; i++) {
                    baseline[i] = roundTrip(toShell, fromShell, ":");
                }
                double base = median(baseline) / 1e6;
                result.put("baselineRoundTripMs", base);
                var sizes = result.putArray("sizes");
                for (var e : files.entrySet()) {
                    long[] first = new long[e.getValue()];
                    long[] again = new long[e.getValue()];
                    for (int i = 0; i < e.getValue(); i++) {
                        String cmd = "echo x >> /data/" + e.getKey() + "-" + i;
                        first[i] = roundTrip(toShell, fromShell, cmd);
                        again[i] = roundTrip(toShell, fromShell, cmd);
                    }
                    ObjectNode n = sizes.addObject();
                    n.put("name", e.getKey());
                    n.put("bytes", SIZES.get(e.getKey()));
                    n.put("firstWriteMs", median(first) / 1e6 - base);
                    n.put("rewriteMs", median(again) / 1e6 - base);
                    n.put("samples", e.getValue());
                    var fs = n.putArray("firstWriteSamplesMs");
                    Arrays.stream(first).forEach(v -> fs.add(v / 1e6 - base));
                    var rs = n.putArray("rewriteSamplesMs");
                    Arrays.stream(again).forEach(v -> rs.add(v / 1e6 - base));
                    System.out.printf("copy-up %-5s first write %9.3f ms, rewrite %7.3f ms (median of %d, minus %.3f ms round trip)%n",
                            e.getKey(), median(first) / 1e6 - base, median(again) / 1e6 - base, e.getValue(), base);
                }
            } finally {
                engine.runtime.delete(id, true);
            }
        }
    }

    /** Sends one command line and waits for the shell's "ok"; returns the nanoseconds taken. */
    private static long roundTrip(RandomAccessFile to, RandomAccessFile from, String command) throws IOException {
        byte[] line = (command + "\n").getBytes(StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        to.write(line);
        List<Byte> answer = new ArrayList<>();
        for (int b = from.read(); b != '\n'; b = from.read()) {
            if (b < 0) {
                throw new UncheckedIOException(new IOException("the container's shell went away after: " + command));
            }
            answer.add((byte) b);
        }
        long t = System.nanoTime() - t0;
        if (answer.size() != 2) {
            throw new IllegalStateException("unexpected answer to " + command + ": " + answer);
        }
        return t;
    }

    static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }
}
