package jctr.kernel.layer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.sys.Symlinks;
import jctr.kernel.testing.LayerTar;
import jctr.kernel.testing.RootOnlyHook;
import jctr.kernel.testing.TreeSnapshot;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Fuzzes the unpacker with hostile layers: {@code ..} paths, absolute paths, symlink chains (absolute and
 * relative, pointing at the host directory around the target), hard links out, whiteouts of missing
 * files, duplicates, directories replaced by files, device nodes, and damaged archives. Properties:
 * nothing outside the target changes (the sandbox around it and /tmp are checked), and the only
 * exceptions are the documented ones.
 */
@AddLifecycleHook(RootOnlyHook.class)
class LayerUnpackerFuzzIT {

    private static final String MARK = "jctr-fuzz-escape-" + UUID.randomUUID();
    /** Replaced by the sandbox's absolute host path when the tar is built. */
    private static final String HOST = "$HOST";

    /** One member of a generated layer; names and targets may contain {@link #HOST}. */
    record Op(String kind, String path, String target) {
        void write(LayerTar tar, String host) {
            String p = path.replace(HOST, host);
            String t = target.replace(HOST, host);
            switch (kind) {
                case "file" -> tar.file(p, "payload " + MARK);
                case "dir" -> tar.dir(p);
                case "symlink" -> tar.symlink(p, t);
                case "hardlink" -> tar.hardLink(p, t);
                case "fifo" -> tar.fifo(p);
                case "device" -> tar.charDevice(p, 1, 3);
                case "whiteout" -> tar.whiteout(p);
                case "opaque" -> tar.opaque(p);
                default -> throw new IllegalStateException(kind);
            }
        }
    }

    /** How the archive is damaged after writing: position as a fraction of its length. */
    record Damage(String kind, double at) {
    }

    @Provide
    Arbitrary<String> paths() {
        // ".." is rarer than the rest so that about half the layers get past the lexical check and
        // exercise symlinks, hard links and whiteouts.
        Arbitrary<String> component = Arbitraries.frequencyOf(
                Tuple.of(30, Arbitraries.of("a", "b", "c", ".", "", MARK, "sentinel", "sentinel-dir", "inner", HOST,
                        ".wh.a", ".wh.sentinel", ".wh..wh..opq", "l1", "l2", "tmp")),
                Tuple.of(1, Arbitraries.just("..")));
        Arbitrary<String> prefix = Arbitraries.frequency(Tuple.of(20, ""), Tuple.of(6, "/"), Tuple.of(3, "./"),
                Tuple.of(1, "../"), Tuple.of(1, "../../../../.."), Tuple.of(6, HOST + "/"));
        return Combinators.combine(prefix, component.list().ofMinSize(1).ofMaxSize(6))
                .as((p, parts) -> p + String.join("/", parts));
    }

    @Provide
    Arbitrary<String> targets() {
        return Arbitraries.oneOf(paths(), Arbitraries.of("/", "..", "../..", "../../../../..", HOST, HOST + "/sentinel",
                HOST + "/sentinel-dir", "/tmp", "/tmp/" + MARK, "l1", "l2/..", "a/../../..", "/l1/../..", "sentinel-dir/inner"));
    }

    @Provide
    Arbitrary<List<Op>> layers() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.of("file", "file", "dir", "symlink", "symlink", "hardlink", "fifo", "device", "whiteout", "opaque"),
                paths(), targets()).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(12);
    }

    @Provide
    Arbitrary<Damage> damage() {
        return Combinators.combine(Arbitraries.frequency(Tuple.of(8, "none"), Tuple.of(1, "truncate"), Tuple.of(1, "flip")),
                Arbitraries.doubles().between(0, 1)).as(Damage::new);
    }

    @Property(tries = 400)
    void hostileLayersStayInside(@ForAll("layers") List<Op> ops, @ForAll boolean overlay, @ForAll boolean tightLimits,
                                 @ForAll("damage") Damage damage) throws IOException {
        Path sandbox = Files.createTempDirectory("jctr-fuzz");
        try {
            Files.writeString(sandbox.resolve("sentinel"), "sentinel");
            Files.createDirectories(sandbox.resolve("sentinel-dir"));
            Files.writeString(sandbox.resolve("sentinel-dir/inner"), "inner");
            Path target = Files.createDirectories(sandbox.resolve("target"));
            // A lower layer's content (as vfs sees it): including symlinks that point at the host.
            Files.createDirectories(target.resolve("a/b"));
            Files.writeString(target.resolve("a/b/c"), "lower");
            Symlinks.create(sandbox.toString(), target.resolve("l1"));
            Symlinks.create("../../../..", target.resolve("l2"));
            Map<String, TreeSnapshot.Node> before = outside(sandbox);

            LayerTar tar = new LayerTar();
            for (Op op : ops) {
                op.write(tar, sandbox.toString());
            }
            byte[] bytes = damage(tar.bytes(), damage);
            TarLimits limits = tightLimits ? new TarLimits(64, 8192, 6) : TarLimits.DEFAULTS;
            LayerUnpacker unpacker = new LayerUnpacker(new UnpackOptions(limits, true),
                    overlay ? WhiteoutStrategy.overlay() : WhiteoutStrategy.applyInPlace());
            String outcome = "unpacked";
            try {
                unpacker.unpack(new ByteArrayInputStream(bytes), target, "fuzz layer");
            } catch (InvalidConfigException | ResourceLimitException expected) {
                outcome = refusal(expected); // the documented refusals
            }
            Statistics.collect(outcome);

            assertEquals(before, outside(sandbox), "the sandbox around the target changed");
            try (Stream<Path> tmp = Files.list(Path.of("/tmp"))) {
                assertFalse(tmp.anyMatch(p -> p.getFileName().toString().contains(MARK)), "a file escaped into /tmp");
            }
            try (Stream<Path> around = Files.list(sandbox.getParent())) {
                assertFalse(around.anyMatch(p -> p.getFileName().toString().contains(MARK)), "a file escaped next to the sandbox");
            }
        } finally {
            FileTrees.deleteRecursively(sandbox);
        }
    }

    /** The kind of refusal, for the statistics jqwik prints: exception class and problem without names. */
    private static String refusal(RuntimeException e) {
        String problem = e.getMessage().replaceFirst("^.*offset [0-9]+: ", "").replaceAll("\"[^\"]*\"", "_");
        int paren = problem.indexOf('(');
        return e.getClass().getSimpleName() + ": " + (paren > 0 ? problem.substring(0, paren).trim() : problem);
    }

    /** Snapshot of the sandbox without the target directory. */
    private static Map<String, TreeSnapshot.Node> outside(Path sandbox) {
        Map<String, TreeSnapshot.Node> nodes = new TreeMap<>(TreeSnapshot.of(sandbox).nodes());
        nodes.keySet().removeIf(k -> k.equals("target") || k.startsWith("target/"));
        return nodes;
    }

    private static byte[] damage(byte[] tar, Damage d) {
        int at = (int) Math.min(tar.length - 1, d.at() * tar.length);
        return switch (d.kind()) {
            case "truncate" -> Arrays.copyOf(tar, at);
            case "flip" -> {
                byte[] copy = tar.clone();
                copy[at] ^= (byte) 0x5a;
                yield copy;
            }
            default -> tar;
        };
    }
}
