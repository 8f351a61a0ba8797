package jctr.storage.overlay;

import java.util.Map;

import jctr.kernel.spi.StorageDriver;
import jctr.kernel.testing.StorageDriverContract;

/** The storage driver contract against the overlay driver forced to mount(2) with short links (kernels before 6.8). */
class OverlayLegacyMountConformanceIT extends StorageDriverContract {

    @Override
    protected StorageDriver newDriver() {
        return new OverlayStorageDriver();
    }

    @Override
    protected Map<String, String> driverOptions() {
        return Map.of("mountApi", "legacy");
    }
}
