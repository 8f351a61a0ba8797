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
     * Removes a layer. The kernel (the image store's garbage collection) calls this for layers no image
     * uses; a layer that a prepared container (one not yet {@linkplain #remove removed}) still uses is
     * not removed. Removing a missing layer succeeds. Whether other layers have it as their parent is
     * the caller's business (vfs layers do not depend on their parent's files, overlay layers do).
     *
     * @throws jctr.kernel.KernelException of category {@code FAILED_PRECONDITION} if a prepared
     *         container uses the layer (the image store treats that as "in use")
     */
    void removeLayer(String layerId);

    /**
     * Makes a writable root file system for a container whose image has {@code layerIds}
     * (bottom layer first; the list may be empty for an empty image). Writes in the container never
     * change a layer. Calling it again for the same container returns the existing rootfs, with what
     * was written to it (re-mounting it if needed, e.g. after a reboot).
     *
     * @throws jctr.kernel.NotFoundException if a layer does not exist
     * @throws jctr.kernel.InvalidConfigException if {@code layerIds} is not a chain (each layer the
     *         parent of the next, the first without parent)
     * @throws jctr.kernel.KernelException {@code FAILED_PRECONDITION} if the container was prepared with other layers
     */
    Rootfs prepare(String containerId, List<String> layerIds);

    /**
     * Writes the container's changes (relative to its layers) as an OCI layer tar: added and modified
     * files, and whiteouts ({@code .wh.name}, {@code .wh..wh..opq}) for deletions. Applied with
     * {@link #createLayer} on top of the container's top layer, it reproduces the container's tree.
     *
     * @throws jctr.kernel.NotFoundException if the container has no rootfs here
     */
    void diff(String containerId, OutputStream tarOut);

    /** Unmounts and deletes a container's rootfs and writable layer. Removing a missing one succeeds. */
    void remove(String containerId);

    /**
     * Disk usage of a layer or a container's writable layer, by id (allocated bytes and inodes; each
     * driver documents what it counts).
     *
     * @throws jctr.kernel.NotFoundException if there is no such layer or container
     */
    Usage usage(String id);
}
