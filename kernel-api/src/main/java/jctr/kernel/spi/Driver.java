package jctr.kernel.spi;

/**
 * What every jctr driver has in common. A driver is a JPMS service (declared with
 * {@code provides jctr.kernel.spi.StorageDriver with ...} and in {@code META-INF/services} for the
 * class path) of one of the three SPIs: {@link IsolationDriver}, {@link ResourceDriver},
 * {@link StorageDriver}.
 *
 * <h2>Lifecycle of a driver object</h2>
 * <ol>
 *   <li>{@link java.util.ServiceLoader} instantiates it with its public no-argument constructor. The
 *       constructor must be cheap and must not touch the host: drivers that are never selected are
 *       still instantiated to list them.</li>
 *   <li>The registry calls {@link #name()} and {@link #probe(DriverContext)}, possibly for all drivers
 *       (for {@code jctr info} and auto-detection).</li>
 *   <li>If selected, the registry calls {@link #initialize(DriverContext)} once, before any other
 *       method of the SPI. Afterwards the driver must be safe for concurrent use by several threads.</li>
 * </ol>
 *
 * <h2>State</h2>
 * Drivers keep no state in memory that cannot be rebuilt: whatever must survive an engine restart
 * is returned to the kernel in records ({@link CgroupHandle}, {@link Rootfs}, {@link IsolatedProcess})
 * that the kernel persists and hands back, or kept under {@link DriverContext#driverDataDir}.
 *
 * <h2>Errors</h2>
 * Methods throw {@link jctr.kernel.KernelException} subclasses: {@link jctr.kernel.InvalidConfigException}
 * naming the config field at fault, {@link jctr.kernel.UnsupportedFeatureException} for what this host
 * cannot do, {@link jctr.kernel.NotFoundException}, {@link jctr.kernel.ResourceLimitException}, or a
 * {@code SyscallException} from the FFM layer. Never return null or a boolean for failure.
 */
public interface Driver {

    /** The SPI major version this interface describes. */
    int SPI_VERSION = 1;

    /**
     * The driver's name, used in configuration ({@code "storage": "overlay"}) and in {@code jctr info}.
     * Lower-case ASCII letters, digits and dashes, at most 64 characters, unique within its SPI.
     */
    String name();

    /**
     * Whether this driver can work on this host, and if not, why. Must leave the host as it found it
     * (no mounts, cgroups or files left behind; a storage driver may try a scratch mount in a temporary
     * directory that it removes again) and should finish in milliseconds.
     */
    ProbeResult probe(DriverContext context);

    /**
     * Called once when the driver is selected, before any SPI operation. Create directories under
     * {@link DriverContext#driverDataDir} and {@link DriverContext#driverStateDir} here.
     */
    default void initialize(DriverContext context) {
    }

    /**
     * The SPI major version the driver was built against; the registry refuses a mismatch.
     * Do not override unless you know you implement another version.
     */
    default int spiVersion() {
        return SPI_VERSION;
    }

    /**
     * Preference in auto-detection: among drivers whose probe succeeds, the highest wins.
     * Zero or less means the driver is never chosen automatically, only by name.
     */
    default int autoPriority() {
        return 0;
    }

    /** A one-line description for {@code jctr info}. */
    default String description() {
        return name();
    }
}
