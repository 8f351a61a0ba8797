package jctr.storage.overlay;

import jctr.kernel.spi.StorageDriver;
import jctr.kernel.testing.StorageDriverContract;

/** The storage driver contract against the overlay driver (new mount API where the kernel has it). */
class OverlayConformanceIT extends StorageDriverContract {

    @Override
    protected StorageDriver newDriver() {
        return new OverlayStorageDriver();
    }
}
