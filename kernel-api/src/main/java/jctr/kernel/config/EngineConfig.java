package jctr.kernel.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.host.HostInfo;
import jctr.kernel.oci.OciJson;
import jctr.kernel.registry.DriverRegistry;
import jctr.kernel.spi.DriverContext;

/**
 * The engine's configuration: which driver to use for each SPI, where state and data live, per-driver
 * options and registry settings.
 *
 * <p>Sources, later ones overriding earlier ones, field by field:
 * <ol>
 *   <li>built-in defaults ({@link #DEFAULTS});</li>
 *   <li>the JSON file {@code /etc/jctr/config.json}, or the file named by {@code JCTR_CONFIG} or
 *       {@code --config} (a missing default file is fine; a missing named file is an error);</li>
 *   <li>environment variables {@code JCTR_ISOLATION_DRIVER}, {@code JCTR_RESOURCE_DRIVER},
 *       {@code JCTR_STORAGE_DRIVER}, {@code JCTR_STATE_ROOT}, {@code JCTR_DATA_ROOT};</li>
 *   <li>command-line flags ({@code --isolation-driver}, {@code --resource-driver}, {@code --storage-driver},
 *       {@code --state-root}, {@code --data-root}).</li>
 * </ol>
 * Unknown keys in the file are errors (a typo must not silently select a default).
 *
 * @param drivers driver names per SPI; {@code auto} detects
 * @param stateRoot runtime state (a tmpfs such as /run)
 * @param dataRoot persistent data: images, layers, volumes
 * @param driverOptions options per driver name, e.g. {@code {"overlay": {"mountOptions": "index=off"}}}
 * @param registries registry client settings
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record EngineConfig(Drivers drivers,
                           @JsonSerialize(using = ToStringSerializer.class) Path stateRoot,
                           @JsonSerialize(using = ToStringSerializer.class) Path dataRoot,
                           Map<String, Map<String, String>> driverOptions, Registries registries) {

    /** The default configuration file. */
    public static final Path DEFAULT_FILE = Path.of("/etc/jctr/config.json");

    /** Built-in defaults: auto-detect every driver, state in /run/jctr, data in /var/lib/jctr. */
    public static final EngineConfig DEFAULTS = new EngineConfig(
            new Drivers(DriverRegistry.AUTO, DriverRegistry.AUTO, DriverRegistry.AUTO),
            Path.of("/run/jctr"), Path.of("/var/lib/jctr"), Map.of(), new Registries(List.of()));

    public EngineConfig {
        driverOptions = driverOptions == null ? Map.of() : Map.copyOf(driverOptions);
    }

    /**
     * Driver names per SPI.
     *
     * @param isolation e.g. {@code namespaces}
     * @param resource e.g. {@code cgroup-v1}, {@code cgroup-v2}
     * @param storage e.g. {@code overlay}, {@code vfs}
     */
    public record Drivers(String isolation, String resource, String storage) {
    }

    /**
     * Registry client settings.
     *
     * @param insecure registries (host[:port]) reached over plain HTTP; loopback registries always are
     */
    public record Registries(List<String> insecure) {
        public Registries {
            insecure = insecure == null ? List.of() : List.copyOf(insecure);
        }
    }

    /** The context drivers get on {@code host} under this configuration (without driver options). */
    public DriverContext driverContext(HostInfo host) {
        return new DriverContext(stateRoot, dataRoot, Map.of(), host);
    }

    /** Options for driver {@code name} (empty when none configured). */
    public Map<String, String> optionsFor(String name) {
        return driverOptions.getOrDefault(name, Map.of());
    }

    /**
     * Loads the configuration from all sources.
     *
     * @param configFlag the {@code --config} flag, or null
     * @param env the process environment ({@code System.getenv()})
     * @param flags overrides from command-line flags, keyed {@code isolation-driver}, {@code resource-driver},
     *              {@code storage-driver}, {@code state-root}, {@code data-root}; null values are ignored
     */
    public static EngineConfig load(Path configFlag, Map<String, String> env, Map<String, String> flags) {
        Path file = configFlag != null ? configFlag
                : env.containsKey("JCTR_CONFIG") ? Path.of(env.get("JCTR_CONFIG")) : null;
        EngineConfig cfg = DEFAULTS;
        if (file != null) {
            cfg = merge(cfg, OciJson.readFile(file, EngineConfig.class, true).value());
        } else if (Files.isRegularFile(DEFAULT_FILE)) {
            cfg = merge(cfg, OciJson.readFile(DEFAULT_FILE, EngineConfig.class, true).value());
        }
        cfg = override(cfg, "JCTR_", env, "JCTR_ISOLATION_DRIVER", "JCTR_RESOURCE_DRIVER", "JCTR_STORAGE_DRIVER",
                "JCTR_STATE_ROOT", "JCTR_DATA_ROOT");
        cfg = override(cfg, "--", flags, "isolation-driver", "resource-driver", "storage-driver", "state-root",
                "data-root");
        cfg.check();
        return cfg;
    }

    /** Overlays the fields {@code over} sets on {@code base}. */
    static EngineConfig merge(EngineConfig base, EngineConfig over) {
        Drivers d = base.drivers;
        if (over.drivers != null) {
            d = new Drivers(or(over.drivers.isolation, d.isolation), or(over.drivers.resource, d.resource),
                    or(over.drivers.storage, d.storage));
        }
        return new EngineConfig(d, or(over.stateRoot, base.stateRoot), or(over.dataRoot, base.dataRoot),
                over.driverOptions.isEmpty() ? base.driverOptions : over.driverOptions,
                over.registries != null ? over.registries : base.registries);
    }

    private static EngineConfig override(EngineConfig c, String origin, Map<String, String> values, String isolation,
                                         String resource, String storage, String state, String data) {
        if (values == null || values.isEmpty()) {
            return c;
        }
        Drivers d = new Drivers(or(values.get(isolation), c.drivers.isolation),
                or(values.get(resource), c.drivers.resource), or(values.get(storage), c.drivers.storage));
        Path stateRoot = values.get(state) != null ? absolute(origin, state, values.get(state)) : c.stateRoot;
        Path dataRoot = values.get(data) != null ? absolute(origin, data, values.get(data)) : c.dataRoot;
        return new EngineConfig(d, stateRoot, dataRoot, c.driverOptions, c.registries);
    }

    private static Path absolute(String origin, String key, String value) {
        Path p = Path.of(value);
        if (!p.isAbsolute()) {
            throw new InvalidConfigException(origin.equals("--") ? "command line" : "environment",
                    origin.equals("--") ? "--" + key : key, "must be an absolute path: " + value);
        }
        return p;
    }

    private void check() {
        DriverRegistry.checkName("drivers.isolation", drivers.isolation);
        DriverRegistry.checkName("drivers.resource", drivers.resource);
        DriverRegistry.checkName("drivers.storage", drivers.storage);
        if (!stateRoot.isAbsolute()) {
            throw new InvalidConfigException("", "stateRoot", "must be an absolute path: " + stateRoot);
        }
        if (!dataRoot.isAbsolute()) {
            throw new InvalidConfigException("", "dataRoot", "must be an absolute path: " + dataRoot);
        }
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
