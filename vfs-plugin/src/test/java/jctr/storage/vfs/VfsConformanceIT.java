package jctr.storage.vfs;

import jctr.kernel.spi.StorageDriver;
import jctr.kernel.testing.StorageDriverContract;

/** The storage driver contract against the vfs driver. */
class VfsConformanceIT extends StorageDriverContract {

    @Override
    protected StorageDriver newDriver() {
        return new VfsStorageDriver();
    }
}
