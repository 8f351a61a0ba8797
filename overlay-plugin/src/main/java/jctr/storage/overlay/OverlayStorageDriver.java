package jctr.storage.overlay;

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

/** overlayfs: shared read-only layers under a copy-on-write upper layer. Skeleton until issue #5 lands: its probe says so. */
public final class OverlayStorageDriver implements StorageDriver {

    @Override
    public String name() {
        return "overlay";
    }

    @Override
    public String description() {
        return "overlayfs: shared read-only layers under a copy-on-write upper layer";
    }

    @Override
    public int autoPriority() {
        return 100;
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
        return new UnsupportedFeatureException("the overlay driver is not implemented yet");
    }
}
