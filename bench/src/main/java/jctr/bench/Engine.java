package jctr.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jctr.kernel.config.EngineConfig;
import jctr.kernel.host.HostInfo;
import jctr.kernel.layer.FileTrees;
import jctr.kernel.registry.DriverKind;
import jctr.kernel.registry.DriverRegistry;
import jctr.kernel.runtime.ContainerRuntime;
import jctr.kernel.runtime.RuntimeLog;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.StorageDriver;

/**
 * The in-process engine the benchmarks drive: a {@link ContainerRuntime} over its own state root, with the
 * namespaces isolation driver and the given resource driver ({@code none}, {@code cgroup-v1}, {@code cgroup-v2}),
 * found by ServiceLoader as the engine finds them; and storage drivers over their own data root. The state root
 * is a tmpfs ({@link StateTmpfs}), the data root a directory on the root disk (as /var/lib/jctr).
 */
final class Engine implements AutoCloseable {

    final Path dir;
    final DriverRegistry registry = DriverRegistry.load();
    final HostInfo host = HostInfo.detect();
    final ContainerRuntime runtime;
    private final EngineConfig config;

    Engine(String resourceDriver) {
        try {
            dir = Files.createTempDirectory("jctr-bench-engine");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StateTmpfs.mount(dir.resolve("state"));
        Map<String, String> flags = new HashMap<>();
        flags.put("state-root", dir.resolve("state").toString());
        flags.put("data-root", dir.resolve("data").toString());
        flags.put("isolation-driver", "namespaces");
        flags.put("resource-driver", resourceDriver);
        // An empty configuration file instead of /etc/jctr/config.json, and no environment: the benchmark
        // names every driver itself.
        Path empty = dir.resolve("engine.json");
        try {
            Files.writeString(empty, "{}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config = EngineConfig.load(empty, Map.of(), flags);
        // Warnings (e.g. unknown fields of runc's config) are not what is measured.
        runtime = new ContainerRuntime(config, host, registry, RuntimeLog.discard());
    }

    /** The storage driver {@code name}, initialized over this engine's data root. */
    StorageDriver storage(String name, Map<String, String> options) {
        return registry.storage(name, new DriverContext(dir.resolve("state"), dir.resolve("data"), Map.of(), host),
                options);
    }

    /** Whether driver {@code name} of {@code kind} can run on this host. */
    static boolean available(DriverKind kind, String name) {
        DriverRegistry r = DriverRegistry.load();
        Path tmp = Path.of("/tmp/jctr-bench-probe");
        DriverContext ctx = new DriverContext(tmp.resolve("state"), tmp.resolve("data"), Map.of(), HostInfo.detect());
        try {
            return r.drivers(kind).stream().filter(d -> d.name().equals(name))
                    .anyMatch(d -> r.probe(d, ctx).available());
        } finally {
            FileTrees.deleteRecursively(tmp);
        }
    }

    /** A layer from a directory tree, archived by GNU tar as an image layer would be. */
    static void createLayer(StorageDriver driver, String id, String parent, Path tree) {
        try {
            Process tar = new ProcessBuilder("tar", "--numeric-owner", "-C", tree.toString(), "-cf", "-", ".")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (InputStream in = tar.getInputStream()) {
                driver.createLayer(id, parent, in);
            }
            if (tar.waitFor() != 0) {
                throw new IllegalStateException("tar failed for " + tree);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A one-layer image of {@code tree} in {@code driver}, prepared as container rootfs {@code id}. */
    static Path preparedRootfs(StorageDriver driver, String id, Path tree) {
        createLayer(driver, id + "-layer", null, tree);
        return Path.of(driver.prepare(id, List.of(id + "-layer")).path());
    }

    @Override
    public void close() {
        try {
            StateTmpfs.unmount(dir.resolve("state"));
        } finally {
            FileTrees.deleteRecursively(dir);
        }
    }
}
