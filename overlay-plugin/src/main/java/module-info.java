/** Storage driver on overlayfs: shared read-only layers, copy-on-write upper layer. */
module jctr.storage.overlay {
    requires jctr.kernel;

    provides jctr.kernel.spi.StorageDriver with jctr.storage.overlay.OverlayStorageDriver;
}
