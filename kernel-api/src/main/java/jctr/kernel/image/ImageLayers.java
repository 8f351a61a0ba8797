package jctr.kernel.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.spi.StorageDriver;

/**
 * Image layers as a storage driver holds them: one driver layer per image layer, named by the layer's
 * chain id (OCI image spec: {@code chainID(L0) = diffID(L0)},
 * {@code chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln))}), so that images sharing a stack of layers
 * share the driver's layers.
 */
public final class ImageLayers {

    private ImageLayers() {
    }

    /** The chain ids of layers with {@code diffIds}, bottom first. */
    public static List<Digest> chainIds(List<Digest> diffIds) {
        List<Digest> out = new ArrayList<>(diffIds.size());
        Digest previous = null;
        for (Digest diffId : diffIds) {
            Digest chain = previous == null ? diffId
                    : Digest.sha256((previous + " " + diffId).getBytes(StandardCharsets.US_ASCII));
            out.add(chain);
            previous = chain;
        }
        return out;
    }

    /**
     * Makes sure {@code driver} holds every layer of image {@code imageId}, creating missing ones bottom-up
     * from the layer blobs (decompressed on the fly). The uncompressed content of each created layer must
     * hash to its diff id, and the blob to its digest; otherwise the layer is removed again and a
     * {@link DigestMismatchException} is thrown. Idempotent.
     *
     * @return the driver's layer ids (chain id hex), bottom first, as {@link StorageDriver#prepare} takes them
     * @throws NotFoundException if the image or one of its blobs is missing
     * @throws UnsupportedFeatureException for zstd-compressed layers
     */
    public static List<String> unpack(ImageStore store, Digest imageId, StorageDriver driver, PullProgress progress) {
        ImageRecord image = store.read().image(imageId);
        if (image == null) {
            throw new NotFoundException("No such image: " + imageId);
        }
        ImageManifest manifest = store.manifest(image);
        ImageConfig config = store.config(image);
        ImageJson.checkLayers("image " + imageId, manifest, config);
        List<Digest> chain = chainIds(config.diffIds());
        List<String> ids = new ArrayList<>(chain.size());
        try (StoreLock _ = store.layersLock()) {
            for (int i = 0; i < chain.size(); i++) {
                String id = chain.get(i).hex();
                String parent = i == 0 ? null : ids.get(i - 1);
                Descriptor layer = manifest.layers().get(i);
                String shortId = layer.digest().shortHex();
                store.update(r -> r.withLayer(driver.name(), id, parent)); // before creating: GC must know it
                if (!driver.hasLayer(id)) {
                    progress.layer(shortId, PullProgress.Status.EXTRACTING, 0, layer.size());
                    create(store, driver, id, parent, layer, config.diffIds().get(i), imageId);
                    progress.layer(shortId, PullProgress.Status.PULL_COMPLETE, 0, 0);
                }
                ids.add(id);
            }
        }
        return ids;
    }

    private static void create(ImageStore store, StorageDriver driver, String id, String parent, Descriptor layer,
                               Digest diffId, Digest imageId) {
        String what = "layer " + layer.digest() + " of image " + imageId;
        MediaTypes.Compression compression = MediaTypes.layerCompression(layer.mediaType());
        if (compression == MediaTypes.Compression.ZSTD) {
            throw new UnsupportedFeatureException(what + " is zstd-compressed (" + layer.mediaType()
                    + "): jctr decompresses gzip and uncompressed layers only");
        }
        try (BlobStore.Reader blob = store.blobs().open(layer.digest(), what)) {
            InputStream raw = compression == MediaTypes.Compression.GZIP
                    ? new GZIPInputStream(blob.stream(), 64 * 1024) : blob.stream();
            VerifyingInputStream diff = new VerifyingInputStream(raw, diffId, -1, "uncompressed " + what + " (diff_id)");
            boolean created = false;
            try {
                driver.createLayer(id, parent, diff);
                created = true;
                // The driver may stop at the tar's end-of-archive blocks; what follows must still hash right.
                diff.drain();
                blob.finish();
            } catch (KernelException | IOException | UncheckedIOException e) {
                if (created) {
                    driver.removeLayer(id);
                }
                store.update(r -> r.withoutLayer(driver.name(), id));
                throw e;
            }
        } catch (ZipException e) {
            throw new InvalidConfigException(what, "", "corrupt gzip stream: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("unpacking " + what, e);
        }
    }
}
