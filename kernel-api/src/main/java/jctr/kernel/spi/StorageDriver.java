package jctr.kernel.spi;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * A storage driver keeps image layers and makes container root file systems from them: read-only
 * layers shared between containers, one writable layer per container.
 *
 * <p>Layers are identified by the kernel (the image store uses the layer's chain id), and always
 * created on top of a parent that the driver already has. Unpacking the tar is a security boundary:
 * use {@code jctr.kernel.layer.LayerUnpacker}, which refuses entries that escape the target.
 *
 * <p>Implementations in jctr: {@code overlay} (overlayfs, a layer directory per layer) and
 * {@code vfs} (full copies, works on any file system). Third-party drivers can run the conformance
 * suite {@code StorageDriverContract} from kernel-api's test-jar.
 */
public interface StorageDriver extends Driver {

    /**
     * Stores a layer: the uncompressed OCI layer tar {@code tarDiff} applied on top of {@code parentId}.
     * Whiteouts ({@code .wh.name}, {@code .wh..wh..opq}) in the tar delete or hide parent content.
     * If the layer exists already, the stream is not read and the existing layer's info is returned.
     * On failure nothing of the layer remains.
     *
     * @param parentId the parent layer's id, or null for a base layer
     * @throws jctr.kernel.NotFoundException if the parent is unknown
     * @throws jctr.kernel.InvalidConfigException for a corrupt or hostile tar (naming the entry)
     */
    LayerInfo createLayer(String layerId, String parentId, InputStream tarDiff);

    /** Whether the layer exists. */
    boolean hasLayer(String layerId);

    /**
     * Removes a layer. The kernel only calls this for layers no image and no container use.
     * Removing a missing layer succeeds.
     */
    void removeLayer(String layerId);

    /**
     * Makes a writable root file system for a container whose image has {@code layerIds}
     * (bottom layer first; the list may be empty for an empty image). Writes in the container never
     * change a layer. Calling it again for the same container returns the existing rootfs.
     */
    Rootfs prepare(String containerId, List<String> layerIds);

    /**
     * Writes the container's changes (relative to its layers) as an OCI layer tar: added and modified
     * files, and whiteouts ({@code .wh.name}, {@code .wh..wh..opq}) for deletions.
     */
    void diff(String containerId, OutputStream tarOut);

    /** Unmounts and deletes a container's rootfs and writable layer. Removing a missing one succeeds. */
    void remove(String containerId);

    /** Disk usage of a layer or a container's writable layer, by id. */
    Usage usage(String id);
}
