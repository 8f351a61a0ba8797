package jctr.kernel.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import jctr.kernel.host.HostInfo;

/**
 * What the kernel tells a driver about its environment.
 *
 * @param stateRoot runtime state (tmpfs, gone at reboot), e.g. {@code /run/jctr}
 * @param dataRoot persistent data (images, layers, volumes), e.g. {@code /var/lib/jctr}
 * @param options this driver's options from the engine configuration ({@code driverOptions.<name>})
 * @param host facts about the host, detected once
 */
public record DriverContext(Path stateRoot, Path dataRoot, Map<String, String> options, HostInfo host) {

    public DriverContext {
        Objects.requireNonNull(stateRoot, "stateRoot");
        Objects.requireNonNull(dataRoot, "dataRoot");
        options = options == null ? Map.of() : Map.copyOf(options);
        Objects.requireNonNull(host, "host");
    }

    /** Where driver {@code driverName} may keep persistent data: {@code <dataRoot>/<driverName>}. */
    public Path driverDataDir(String driverName) {
        return dataRoot.resolve(driverName);
    }

    /** Where driver {@code driverName} may keep runtime state: {@code <stateRoot>/drivers/<driverName>}. */
    public Path driverStateDir(String driverName) {
        return stateRoot.resolve("drivers").resolve(driverName);
    }

    /** The same context with this driver's options. */
    public DriverContext withOptions(Map<String, String> driverOptions) {
        return new DriverContext(stateRoot, dataRoot, driverOptions, host);
    }
}
