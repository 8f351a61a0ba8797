package jctr.kernel.spi;

/**
 * A stored layer.
 *
 * @param id the layer's id
 * @param parentId its parent, or null
 * @param size bytes the layer's own content takes on disk
 */
public record LayerInfo(String id, String parentId, long size) {
}
