package jctr.kernel.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.LayerInfo;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.Rootfs;
import jctr.kernel.spi.StorageDriver;
import jctr.kernel.spi.Usage;

/**
 * A test double of the storage driver SPI for unit tests of the image store: layers live in memory.
 * Like a real driver it reads the layer tar only up to its end-of-archive blocks, and refuses to remove
 * a layer marked busy (as a driver refuses a layer under a live container's rootfs). The real drivers
 * are exercised by the integration tests.
 */
final class FakeStorageDriver implements StorageDriver {

    /** A stored layer: its parent and the entry names its tar held. */
    record Layer(String parent, List<String> entries) {
    }

    final Map<String, Layer> layers = new LinkedHashMap<>();
    final List<String> created = new ArrayList<>();
    final List<String> removed = new ArrayList<>();
    final Set<String> busy = new HashSet<>();

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public ProbeResult probe(DriverContext context) {
        return ProbeResult.available("in memory");
    }

    @Override
    public synchronized LayerInfo createLayer(String layerId, String parentId, InputStream tarDiff) {
        if (layers.containsKey(layerId)) {
            return new LayerInfo(layerId, parentId, 0);
        }
        if (parentId != null && !layers.containsKey(parentId)) {
            throw new NotFoundException("parent layer " + parentId + " does not exist");
        }
        List<String> entries = new ArrayList<>();
        try {
            TarReader tar = new TarReader(tarDiff, "layer " + layerId);
            TarReader.Entry e;
            while ((e = tar.next()) != null) {
                entries.add(e.name());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        layers.put(layerId, new Layer(parentId, entries));
        created.add(layerId);
        return new LayerInfo(layerId, parentId, 0);
    }

    @Override
    public synchronized boolean hasLayer(String layerId) {
        return layers.containsKey(layerId);
    }

    @Override
    public synchronized void removeLayer(String layerId) {
        if (busy.contains(layerId)) {
            throw new KernelException(KernelException.Category.FAILED_PRECONDITION, "layer " + layerId + " is in use");
        }
        if (layers.remove(layerId) != null) {
            removed.add(layerId);
        }
    }

    @Override
    public Rootfs prepare(String containerId, List<String> layerIds) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void diff(String containerId, OutputStream tarOut) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void remove(String containerId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Usage usage(String id) {
        throw new UnsupportedOperationException();
    }
}
