package jctr.storage.vfs;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.LayerInfo;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.Rootfs;
import jctr.kernel.spi.StorageDriver;
import jctr.kernel.spi.Usage;

/** full copies: works on any file system, no copy-on-write. Skeleton until issue #5 lands: its probe says so. */
public final class VfsStorageDriver implements StorageDriver {

    @Override
    public String name() {
        return "vfs";
    }

    @Override
    public String description() {
        return "full copies: works on any file system, no copy-on-write";
    }

    @Override
    public int autoPriority() {
        return 10;
    }

    @Override
    public ProbeResult probe(DriverContext context) {
        return ProbeResult.unavailable("not implemented yet (issue #5)");
    }

    @Override
    public LayerInfo createLayer(String layerId, String parentId, InputStream tarDiff) {
        throw notYet();
    }

    @Override
    public boolean hasLayer(String layerId) {
        throw notYet();
    }

    @Override
    public void removeLayer(String layerId) {
        throw notYet();
    }

    @Override
    public Rootfs prepare(String containerId, List<String> layerIds) {
        throw notYet();
    }

    @Override
    public void diff(String containerId, OutputStream tarOut) {
        throw notYet();
    }

    @Override
    public void remove(String containerId) {
        throw notYet();
    }

    @Override
    public Usage usage(String id) {
        throw notYet();
    }

    private static UnsupportedFeatureException notYet() {
        return new UnsupportedFeatureException("the vfs driver is not implemented yet");
    }
}
