/** Storage driver by full copies: works on any file system. */
module jctr.storage.vfs {
    requires jctr.kernel;

    provides jctr.kernel.spi.StorageDriver with jctr.storage.vfs.VfsStorageDriver;
}
