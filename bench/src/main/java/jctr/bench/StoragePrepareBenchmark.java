package jctr.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * pays on every {@code jctr run}: overlay for images of 1, 10 and 50 layers (with both mount APIs), vfs for a ~100 MiB image
 * with 1 and 2 copy threads, and GNU {@code cp -a} of the same tree as the yardstick. Needs root.
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
            tmp = Files.createTempDirectory("jctr-bench-overlay");
            driver = start("overlay", tmp, Map.of("mountApi", mountApi));
            String parent = null;
            for (int i = 0; i < 50; i++) {
                String id = "layer" + i;
                Path dir = Files.createDirectories(tmp.resolve("src").resolve(id).resolve("usr/share/layer" + i));
                for (int f = 0; f < 20; f++) {
                    Files.writeString(dir.resolve("file" + f), "layer " + i + " file " + f + "\n");
                }
                createLayer(driver, id, parent, tmp.resolve("src").resolve(id));
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

    /** A ~100 MiB tree (2,000 files of 8 to 100 KiB in 40 directories) as one vfs layer. */
    @State(Scope.Benchmark)
    public static class Vfs {
        @Param({"1", "2"})
        public int copyThreads;

        Path tmp;
        Path tree;
        StorageDriver driver;
        int counter;
        String current;
        Path cpTarget;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            tmp = Files.createTempDirectory("jctr-bench-vfs");
            tree = tmp.resolve("tree");
            Random random = new Random(42);
            for (int d = 0; d < 40; d++) {
                Path dir = Files.createDirectories(tree.resolve("dir" + d));
                for (int f = 0; f < 50; f++) {
                    byte[] data = new byte[8192 + random.nextInt(96 * 1024)];
                    random.nextBytes(data);
                    Files.write(dir.resolve("file" + f), data);
                }
            }
            driver = start("vfs", tmp, Map.of("copyThreads", Integer.toString(copyThreads)));
            createLayer(driver, "big", null, tree);
        }

        @TearDown(Level.Invocation)
        public void removeCopies() {
            if (current != null) {
                driver.remove(current);
                current = null;
            }
            if (cpTarget != null) {
                FileTrees.deleteRecursively(cpTarget);
                cpTarget = null;
            }
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

    /** A layer from a directory, archived by GNU tar. */
    static void createLayer(StorageDriver driver, String id, String parent, Path dir) {
        try {
            Process tar = new ProcessBuilder("tar", "--numeric-owner", "-C", dir.toString(), "-cf", "-", ".")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (InputStream in = tar.getInputStream()) {
                driver.createLayer(id, parent, in);
            }
            if (tar.waitFor() != 0) {
                throw new IllegalStateException("tar failed for " + dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Benchmark
    public String overlayPrepare(Overlay s) {
        s.current = "c" + s.counter++;
        return s.driver.prepare(s.current, s.ids.subList(0, s.layers)).path();
    }

    @Benchmark
    public String vfsPrepare(Vfs s) {
        s.current = "c" + s.counter++;
        return s.driver.prepare(s.current, List.of("big")).path();
    }

    @Benchmark
    public int cpArchive(Vfs s) throws IOException, InterruptedException {
        s.cpTarget = s.tmp.resolve("cp-" + s.counter++);
        return new ProcessBuilder("cp", "-a", s.tree.toString(), s.cpTarget.toString()).inheritIO().start().waitFor();
    }
}
