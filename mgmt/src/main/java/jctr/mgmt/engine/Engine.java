package jctr.mgmt.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jctr.kernel.DriverUnavailableException;
import jctr.kernel.KernelException;
import jctr.kernel.config.EngineConfig;
import jctr.kernel.image.ImagePuller;
import jctr.kernel.image.ImageService;
import jctr.kernel.image.ImageStore;
import jctr.kernel.runtime.ContainerRuntime;
import jctr.kernel.runtime.RuntimeLog;
import jctr.kernel.spi.StorageDriver;
import jctr.mgmt.engine.monitor.MonitorBinary;
import jctr.kernel.host.HostInfo;
import jctr.kernel.registry.DriverKind;
import jctr.kernel.registry.DriverRegistry;
import jctr.kernel.registry.DriverReport;
import jctr.kernel.spi.Driver;
import jctr.kernel.spi.DriverContext;

/**
 * The container engine: containers made from images, volumes, logs, exec sessions and events, over the
 * kernel's runtime and drivers. It knows nothing about HTTP; the management API ({@code jctr.mgmt.api})
 * and the embedded CLI call it directly.
 *
 * <p>On disk, under the configured roots:
 * <ul>
 *   <li>{@code <dataRoot>/containers/<id>/} the engine's record of each container and its json-file log</li>
 *   <li>{@code <dataRoot>/volumes/<name>/_data} named volumes</li>
 *   <li>{@code <stateRoot>/} the kernel's runtime state; {@code <stateRoot>/mon/} the per-container monitors</li>
 * </ul>
 */
public final class Engine implements AutoCloseable {

    private final EngineConfig config;
    private final HostInfo host;
    private final DriverRegistry registry;
    private final DriverContext context;
    private final EventBus events;
    private final VolumeStore volumes;
    private final String engineId;
    private final ContainerRuntime runtime;
    private final ImageService images;
    private final StorageDriver storage;
    private final KernelException storageProblem;
    private final Containers containers;
    private final Execs execs;
    private final Builder builder;

    private Engine(EngineConfig config) {
        this.config = config;
        this.host = HostInfo.detect();
        this.registry = DriverRegistry.load();
        this.context = config.driverContext(host);
        this.events = new EventBus();
        try {
            Files.createDirectories(config.dataRoot());
            Files.createDirectories(config.stateRoot());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the engine's directories", e);
        }
        this.volumes = new VolumeStore(config.dataRoot().resolve("volumes"), events);
        this.volumes.recover();
        this.engineId = loadEngineId(config.dataRoot().resolve("engine-id"));
        RuntimeLog log = (level, message) -> {
            if (level == RuntimeLog.Level.WARN) {
                System.err.println("jctr: " + message);
            }
        };
        this.runtime = new ContainerRuntime(config, host, registry, log);
        StorageDriver sd = null;
        KernelException problem = null;
        try {
            String name = config.drivers().storage();
            sd = registry.storage(name, context, config.optionsFor(registry.choose(
                    jctr.kernel.registry.DriverKind.STORAGE, name, context).name()));
        } catch (KernelException e) {
            problem = e;
        }
        this.storage = sd;
        this.storageProblem = problem;
        ImagePuller.Options d = ImagePuller.Options.defaults();
        ImagePuller.Options pull = new ImagePuller.Options(d.platform(), d.parallel(), d.retries(),
                config.registries().insecure(), d.credentials(), d.stallTimeout());
        ContainerStore store = new ContainerStore(config.dataRoot().resolve("containers"));
        MonitorBinary monitor = new MonitorBinary(config.stateRoot().resolve("bin"));
        Path monitors = config.stateRoot().resolve("mon");
        Containers[] holder = new Containers[1];
        this.images = new ImageService(new ImageStore(config.dataRoot()), sd, () -> holder[0].imagesInUse(), pull);
        this.containers = sd == null ? null : new Containers(store, volumes, events, runtime, images, sd, monitor,
                monitors, config.stateRoot().resolve("bundles"));
        holder[0] = containers;
        this.execs = containers == null ? null : new Execs(containers, runtime, images, sd, monitor, monitors);
        this.builder = containers == null ? null : new Builder(images, sd, containers, config.dataRoot().resolve("tmp"));
        if (containers != null) {
            containers.recover();
        }
    }

    private static String loadEngineId(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file).trim();
            }
            String id = java.util.UUID.randomUUID().toString();
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, id + "\n");
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    /** Opens the engine over {@code config}'s roots and drivers. */
    public static Engine open(EngineConfig config) {
        return new Engine(config);
    }

    public EngineConfig config() {
        return config;
    }

    public HostInfo host() {
        return host;
    }

    public EventBus events() {
        return events;
    }

    public VolumeStore volumes() {
        return volumes;
    }

    /** The name of the driver each SPI would use, or why none can run here. */
    public Map<DriverKind, String> selectedDrivers() {
        Map<DriverKind, String> out = new LinkedHashMap<>();
        for (DriverKind kind : DriverKind.values()) {
            String configured = switch (kind) {
                case ISOLATION -> config.drivers().isolation();
                case RESOURCE -> config.drivers().resource();
                case STORAGE -> config.drivers().storage();
            };
            try {
                Driver d = registry.choose(kind, configured, context);
                out.put(kind, d.name());
            } catch (DriverUnavailableException e) {
                out.put(kind, "none (" + e.headline() + ")");
            }
        }
        return out;
    }

    /** Every driver with its probe result. */
    public List<DriverReport> driverReports() {
        return registry.report(context);
    }

    /** How many containers (by state) and images there are, for {@code info}. */
    public record Counts(int containers, int running, int paused, int stopped, int images) {
    }

    /** Container and image counts. */
    public Counts counts() {
        int all = 0;
        int running = 0;
        int paused = 0;
        if (containers != null) {
            for (Container c : containers.list(c -> true)) {
                all++;
                if (c.state().paused()) {
                    paused++;
                } else if (c.state().running()) {
                    running++;
                }
            }
        }
        return new Counts(all, running, paused, all - running - paused, images.store().list().size());
    }

    /** The containers; fails with the reason when no storage driver can run here. */
    public Containers containers() {
        if (containers == null) {
            throw storageProblem;
        }
        return containers;
    }

    /** Exec sessions. */
    public Execs execs() {
        containers();
        return execs;
    }

    /** The Dockerfile builder ({@code docker build}). */
    public Builder builder() {
        containers();
        return builder;
    }

    /** The image store and its operations. */
    public ImageService images() {
        return images;
    }

    /** The kernel runtime under the containers. */
    public ContainerRuntime runtime() {
        return runtime;
    }

    /** The storage driver's name, or {@code none}. */
    public String storageDriverName() {
        return storage == null ? "none" : storage.name();
    }

    /** A stable identifier of this engine installation (created once under the data root). */
    public String engineId() {
        return engineId;
    }

    /** Problems an operator should know about (shown by {@code docker info}). */
    public List<String> warnings() {
        List<String> out = new java.util.ArrayList<>();
        selectedDrivers().forEach((kind, name) -> {
            if (name.startsWith("none")) {
                out.add("WARNING: no " + kind.configName() + " driver: " + name);
            }
        });
        return out;
    }

    /** The data root, where Docker's {@code DockerRootDir} points. */
    public Path dataRoot() {
        return config.dataRoot();
    }

    /** Stops serving; running containers and their monitors keep running and are re-adopted by the next engine. */
    @Override
    public void close() {
        if (containers != null) {
            containers.close();
        }
        events.close();
    }
}
