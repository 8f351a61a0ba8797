package jctr.kernel.registry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jctr.kernel.DriverUnavailableException;
import jctr.kernel.InvalidConfigException;
import jctr.kernel.spi.Driver;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.IsolationDriver;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.ResourceDriver;
import jctr.kernel.spi.StorageDriver;

/**
 * Finds the drivers of each SPI with {@link ServiceLoader} and picks one per SPI: by the configured
 * name, or with {@code auto} the available driver with the highest {@link Driver#autoPriority()}.
 * When no driver fits, the error lists every driver of that SPI and why its probe failed.
 *
 * <p>The kernel never names a driver class; adding a driver means adding a jar.
 */
public final class DriverRegistry {

    /** The configured name that asks for auto-detection. */
    public static final String AUTO = "auto";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private final Map<DriverKind, List<Driver>> drivers;
    private final Map<Driver, ProbeResult> probes = new ConcurrentHashMap<>();
    private final Set<Driver> initialized = ConcurrentHashMap.newKeySet();

    private DriverRegistry(Map<DriverKind, List<Driver>> drivers) {
        this.drivers = drivers;
    }

    /** Loads every driver visible to the module layer and class path of this JVM. */
    public static DriverRegistry load() {
        Map<DriverKind, List<Driver>> found = new EnumMap<>(DriverKind.class);
        found.put(DriverKind.ISOLATION, new ArrayList<>(ServiceLoader.load(IsolationDriver.class).stream()
                .map(ServiceLoader.Provider::get).toList()));
        found.put(DriverKind.RESOURCE, new ArrayList<>(ServiceLoader.load(ResourceDriver.class).stream()
                .map(ServiceLoader.Provider::get).toList()));
        found.put(DriverKind.STORAGE, new ArrayList<>(ServiceLoader.load(StorageDriver.class).stream()
                .map(ServiceLoader.Provider::get).toList()));
        return of(found);
    }

    /** A registry of the given drivers (for tests and embedders). */
    public static DriverRegistry of(Map<DriverKind, ? extends List<? extends Driver>> given) {
        Map<DriverKind, List<Driver>> checked = new EnumMap<>(DriverKind.class);
        for (DriverKind kind : DriverKind.values()) {
            List<Driver> list = new ArrayList<>();
            Set<String> names = new HashSet<>();
            List<? extends Driver> ofKind = given.get(kind);
            for (Driver d : ofKind == null ? List.<Driver>of() : ofKind) {
                if (!kind.spi().isInstance(d)) {
                    throw new IllegalArgumentException(d.getClass().getName() + " is not a " + kind.spi().getSimpleName());
                }
                if (!NAME.matcher(d.name()).matches()) {
                    throw new IllegalStateException("driver " + d.getClass().getName() + " has an invalid name \""
                            + d.name() + "\": use lower-case letters, digits and dashes, at most 64");
                }
                if (!names.add(d.name())) {
                    throw new IllegalStateException("two " + kind.configName() + " drivers are named \"" + d.name()
                            + "\": " + d.getClass().getName() + " and another; remove one jar");
                }
                list.add(d);
            }
            checked.put(kind, List.copyOf(list));
        }
        return new DriverRegistry(checked);
    }

    /** Every driver of {@code kind}, in discovery order. */
    public List<Driver> drivers(DriverKind kind) {
        return drivers.get(kind);
    }

    /** The probe result of {@code driver} on this host, cached after the first call. */
    public ProbeResult probe(Driver driver, DriverContext context) {
        return probes.computeIfAbsent(driver, d -> {
            if (d.spiVersion() != Driver.SPI_VERSION) {
                return ProbeResult.unavailable("built for driver SPI version " + d.spiVersion()
                        + ", this jctr implements version " + Driver.SPI_VERSION);
            }
            try {
                return d.probe(context.withOptions(Map.of()));
            } catch (RuntimeException e) {
                return ProbeResult.unavailable("probe failed: " + e);
            }
        });
    }

    /** A report line for every driver of every kind, for {@code jctr info}. */
    public List<DriverReport> report(DriverContext context) {
        List<DriverReport> out = new ArrayList<>();
        for (DriverKind kind : DriverKind.values()) {
            for (Driver d : drivers.get(kind)) {
                Module m = d.getClass().getModule();
                out.add(new DriverReport(kind, d.name(), d.description(), m.isNamed() ? m.getName() : "unnamed",
                        probe(d, context), d.autoPriority()));
            }
        }
        return out;
    }

    /** Selects and initializes the isolation driver. See {@link #select}. */
    public IsolationDriver isolation(String configured, DriverContext context, Map<String, String> options) {
        return IsolationDriver.class.cast(select(DriverKind.ISOLATION, configured, context, options));
    }

    /** Selects and initializes the resource driver. See {@link #select}. */
    public ResourceDriver resource(String configured, DriverContext context, Map<String, String> options) {
        return ResourceDriver.class.cast(select(DriverKind.RESOURCE, configured, context, options));
    }

    /** Selects and initializes the storage driver. See {@link #select}. */
    public StorageDriver storage(String configured, DriverContext context, Map<String, String> options) {
        return StorageDriver.class.cast(select(DriverKind.STORAGE, configured, context, options));
    }

    /**
     * Picks the driver of {@code kind} named {@code configured}, or with {@code auto} (or null) the
     * available one with the highest auto priority, and initializes it once.
     *
     * @param options the chosen driver's options from the configuration
     * @throws DriverUnavailableException listing every driver of the kind and its probe result
     */
    public Driver select(DriverKind kind, String configured, DriverContext context, Map<String, String> options) {
        Driver chosen = choose(kind, configured, context);
        if (initialized.add(chosen)) {
            try {
                chosen.initialize(context.withOptions(options));
            } catch (RuntimeException e) {
                initialized.remove(chosen);
                throw e;
            }
        }
        return chosen;
    }

    /**
     * The driver {@link #select} would pick, without initializing it.
     *
     * @throws DriverUnavailableException listing every driver of the kind and its probe result
     */
    public Driver choose(DriverKind kind, String configured, DriverContext context) {
        if (configured == null || configured.isEmpty() || configured.equals(AUTO)) {
            return drivers.get(kind).stream()
                    .filter(d -> d.autoPriority() > 0)
                    .filter(d -> probe(d, context).available())
                    .max(Comparator.comparingInt(Driver::autoPriority))
                    .orElseThrow(() -> unavailable(kind, "no " + kind.configName()
                            + " driver can run on this host (auto-detection)", context));
        }
        Driver named = drivers.get(kind).stream().filter(d -> d.name().equals(configured)).findFirst()
                .orElseThrow(() -> unavailable(kind, "unknown " + kind.configName() + " driver \"" + configured
                        + "\"", context));
        ProbeResult p = probe(named, context);
        if (!p.available()) {
            throw unavailable(kind, "the configured " + kind.configName() + " driver \"" + configured
                    + "\" cannot run here: " + p.detail(), context);
        }
        return named;
    }

    private DriverUnavailableException unavailable(DriverKind kind, String headline, DriverContext context) {
        StringBuilder sb = new StringBuilder();
        List<Driver> list = drivers.get(kind);
        if (list.isEmpty()) {
            sb.append("No ").append(kind.configName()).append(" drivers are installed (is the plugin jar on the module path?)");
        } else {
            sb.append("Available ").append(kind.configName()).append(" drivers:");
            Map<String, ProbeResult> results = new LinkedHashMap<>();
            for (Driver d : list) {
                results.put(d.name(), probe(d, context));
            }
            results.forEach((name, p) -> sb.append("\n  ").append(name).append(": ")
                    .append(p.available() ? "available (" : "unavailable (").append(p.detail()).append(')'));
        }
        return new DriverUnavailableException(headline, sb.toString());
    }

    /** Checks a configured driver name's syntax (before any probing). */
    public static void checkName(String field, String name) {
        if (name != null && !name.equals(AUTO) && !NAME.matcher(name).matches()) {
            throw new InvalidConfigException("", field, "invalid driver name \"" + name + "\"");
        }
    }
}
