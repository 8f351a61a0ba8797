package jctr.kernel.spi;

import java.util.Map;

/**
 * A container's prepared root file system.
 *
 * @param path absolute path to use as the OCI {@code root.path}
 * @param driverState whatever the driver needs to find or clean it up again (persisted by the kernel)
 */
public record Rootfs(String path, Map<String, String> driverState) {
    public Rootfs {
        driverState = driverState == null ? Map.of() : Map.copyOf(driverState);
    }
}
