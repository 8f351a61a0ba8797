package jctr.kernel.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.layer.TarEntry;
import jctr.kernel.layer.TarLimits;
import jctr.kernel.layer.TarReader;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.LayerInfo;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.Rootfs;
import jctr.kernel.spi.StorageDriver;
import jctr.kernel.spi.Usage;

/**
 * A test double of the storage driver SPI for unit tests of the image store: layers live in memory.
 * It stops reading the layer tar at its end-of-archive blocks (as a driver may), and refuses to remove
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
        TarReader tar = new TarReader(new StopAtEnd(tarDiff), TarLimits.DEFAULTS, "layer " + layerId);
        for (TarEntry e = tar.next().orElse(null); e != null; e = tar.next().orElse(null)) {
            entries.add(e.name());
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

    /**
     * Ends the stream at the first two zero blocks, hiding whatever follows: a driver that stops there
     * leaves the image store to drain and verify the rest.
     */
    private static final class StopAtEnd extends FilterInputStream {
        private final byte[] block = new byte[512];
        private int pos;
        private int limit;
        private int zeros;
        private boolean ended;

        StopAtEnd(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos == limit) {
                if (ended) {
                    return -1;
                }
                // Block by block, so that the end is recognised on block boundaries.
                limit = in.readNBytes(block, 0, block.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    return -1;
                }
                boolean zero = true;
                for (int i = 0; i < limit; i++) {
                    zero &= block[i] == 0;
                }
                zeros = zero ? zeros + 1 : 0;
                ended = zeros == 2;
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(block, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
