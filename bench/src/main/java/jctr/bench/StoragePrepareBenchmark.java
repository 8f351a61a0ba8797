package jctr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import jctr.kernel.host.HostInfo;
import jctr.kernel.layer.FileTrees;
import jctr.kernel.spi.DriverContext;
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
 * How long a storage driver takes to make a container rootfs ({@code prepare}), the cost the engine
 * pays on every {@code jctr run}: overlay for images of 1, 10 and 50 layers (with both mount APIs), and for one-layer
 * images of 10 MiB to 1 GiB vfs and overlay against GNU {@code cp -a} of the same tree (the physical limit of a
 * copy, measured in the same run; one copy per sample, SingleShotTime, since a 1 GiB copy takes seconds). Needs root.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp ... org.openjdk.jmh.Main StoragePrepareBenchmark</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 4)
public class StoragePrepareBenchmark {

    /** An image of 50 small layers under the overlay driver; containers of its first {@code layers} layers. */
    @State(Scope.Benchmark)
    public static class Overlay {
        @Param({"1", "10", "50"})
        public int layers;

        /** The overlay driver's mountApi option: fsconfig lowerdir+ or mount(2) with short links. */
        @Param({"new", "legacy"})
        public String mountApi;

        Path tmp;
        StorageDriver driver;
        List<String> ids = new ArrayList<>();
        int counter;
        String current;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            // A short name: the legacy mount API fits 50 layer paths into one 4 KiB page of options.
            tmp = Files.createTempDirectory("o");
            driver = start("overlay", tmp, Map.of("mountApi", mountApi));
            String parent = null;
            for (int i = 0; i < 50; i++) {
                String id = "layer" + i;
                Path dir = Files.createDirectories(tmp.resolve("src").resolve(id).resolve("usr/share/layer" + i));
                for (int f = 0; f < 20; f++) {
                    Files.writeString(dir.resolve("file" + f), "layer " + i + " file " + f + "\n");
                }
                Engine.createLayer(driver, id, parent, tmp.resolve("src").resolve(id));
                ids.add(id);
                parent = id;
            }
        }

        @TearDown(Level.Invocation)
        public void removeContainer() {
            driver.remove(current);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            FileTrees.deleteRecursively(tmp);
        }
    }

    /**
     * An image of one layer holding {@code sizeMiB} of files (8 to 100 KiB each, ~55 KiB on average, 50 to a
     * directory, random content), in both the vfs and the overlay driver, and the same tree as a plain
     * directory for {@code cp -a}.
     */
    @State(Scope.Benchmark)
    public static class Image {
        @Param({"10", "100", "1000"})
        public int sizeMiB;

        Path tmp;
        Path tree;
        StorageDriver vfs;
        StorageDriver overlay;
        int counter;
        String vfsContainer;
        String overlayContainer;
        Path cpTarget;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            tmp = Files.createTempDirectory("jctr-bench-image");
            tree = tmp.resolve("tree");
            Random random = new Random(42);
            long left = sizeMiB * 1024L * 1024L;
            for (int f = 0; left > 0; f++) {
                Path dir = Files.createDirectories(tree.resolve("dir" + f / 50));
                byte[] data = new byte[(int) Math.min(left, 8192 + random.nextInt(92 * 1024))];
                random.nextBytes(data);
                Files.write(dir.resolve("file" + f), data);
                left -= data.length;
            }
            vfs = start("vfs", tmp.resolve("vfs"), Map.of());
            Engine.createLayer(vfs, "image", null, tree);
            overlay = start("overlay", tmp.resolve("overlay"), Map.of());
            Engine.createLayer(overlay, "image", null, tree);
            // What the copies read comes from the page cache in every case, as it does right after a pull.
            Subprocess.run(List.of("sync"));
        }

        @TearDown(Level.Invocation)
        public void removeCopies() {
            if (vfsContainer != null) {
                vfs.remove(vfsContainer);
                vfsContainer = null;
            }
            if (overlayContainer != null) {
                overlay.remove(overlayContainer);
                overlayContainer = null;
            }
            if (cpTarget != null) {
                FileTrees.deleteRecursively(cpTarget);
                cpTarget = null;
            }
            // Untimed: write back this copy's dirty pages now, so that the next copy (of any method) does not
            // pay for them. Benchmarks run in name order: cp -a first would otherwise look faster.
            Subprocess.run(List.of("sync"));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            FileTrees.deleteRecursively(tmp);
        }
    }

    /** The storage driver named {@code name}, found as the engine finds it (ServiceLoader), initialized. */
    static StorageDriver start(String name, Path tmp, Map<String, String> options) {
        StorageDriver driver = ServiceLoader.load(StorageDriver.class).stream().map(ServiceLoader.Provider::get)
                .filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no storage driver " + name + " on the class path"));
        driver.initialize(new DriverContext(tmp.resolve("state"), tmp.resolve("data"), options, HostInfo.detect()));
        return driver;
    }

    @Benchmark
    public String overlayPrepare(Overlay s) {
        s.current = "c" + s.counter++;
        return s.driver.prepare(s.current, s.ids.subList(0, s.layers)).path();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 1)
    @Measurement(iterations = 5)
    public String vfsPrepare(Image s) {
        s.vfsContainer = "c" + s.counter++;
        return s.vfs.prepare(s.vfsContainer, List.of("image")).path();
    }

    /** The same image under overlay: should not grow with the image's size. Milliseconds: many per sample. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 5, time = 1)
    public String overlayPrepareSized(Image s) {
        s.overlayContainer = "c" + s.counter++;
        return s.overlay.prepare(s.overlayContainer, List.of("image")).path();
    }

    /** GNU cp -a of the image's tree: the physical limit of a full copy. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 1)
    @Measurement(iterations = 5)
    public void cpArchive(Image s) {
        s.cpTarget = s.tmp.resolve("cp-" + s.counter++);
        Subprocess.run(List.of("cp", "-a", s.tree.toString(), s.cpTarget.toString()));
    }
}
