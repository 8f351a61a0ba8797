package jctr.kernel.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.spi.StorageDriver;

/**
 * The image operations of the engine in one place, for the CLI and the management API: pull, import,
 * export, tag, remove, prune and unpack, on one {@link ImageStore} and (optionally) one storage driver.
 * Without a storage driver, pull and import store blobs and metadata only; {@link #unpack} needs one.
 */
public final class ImageService {

    private final ImageStore store;
    private final StorageDriver driver;
    private final ImageUsers users;
    private final ImagePuller.Options pullOptions;

    /**
     * @param driver the storage driver to unpack layers into, or null when none is available
     * @param users who uses images (containers), for rm and prune
     */
    public ImageService(ImageStore store, StorageDriver driver, ImageUsers users, ImagePuller.Options pullOptions) {
        this.store = store;
        this.driver = driver;
        this.users = users;
        this.pullOptions = pullOptions;
    }

    public ImageStore store() {
        return store;
    }

    /** The storage driver layers go into, if any. */
    public Optional<StorageDriver> driver() {
        return Optional.ofNullable(driver);
    }

    /** Pulls {@code reference} and, with a storage driver, unpacks its layers. */
    public ImagePuller.Result pull(Reference reference, PullProgress progress) {
        ImagePuller.Result r = new ImagePuller(store, pullOptions).pull(reference, progress);
        if (driver != null) {
            ImageLayers.unpack(store, r.imageId(), driver, progress);
        }
        return r;
    }

    /** Imports an archive (see {@link ImageImporter}) and, with a storage driver, unpacks the images. */
    public List<ImageImporter.Imported> importPath(Path path, Reference name) {
        List<ImageImporter.Imported> imported = new ImageImporter(store, pullOptions.platform()).importPath(path, name);
        if (driver != null) {
            for (ImageImporter.Imported i : imported) {
                ImageLayers.unpack(store, i.id(), driver, PullProgress.NONE);
            }
        }
        return imported;
    }

    /** Imports a tar read from {@code in} (see {@link ImageImporter#importTar}) and, with a storage driver, unpacks it. */
    public List<ImageImporter.Imported> importTar(java.io.InputStream in, String source, Reference name) {
        List<ImageImporter.Imported> imported = new ImageImporter(store, pullOptions.platform()).importTar(in, source, name);
        if (driver != null) {
            for (ImageImporter.Imported i : imported) {
                ImageLayers.unpack(store, i.id(), driver, PullProgress.NONE);
            }
        }
        return imported;
    }

    /** Exports images; see {@link ImageExporter}. */
    public void export(List<String> names, Path target, ImageExporter.Format format) {
        new ImageExporter(store).export(names, target, format);
    }

    /** Points {@code target} at the image {@code source} names. */
    public Reference tag(String source, String target) {
        return store.tag(source, target);
    }

    /** Removes a name or an image; see {@link ImageGc#remove}. */
    public List<RemoveEvent> remove(String name, boolean force) {
        return new ImageGc(store, users, driver).remove(name, force);
    }

    /** Prunes; see {@link ImageGc#prune}. */
    public ImageGc.PruneReport prune(boolean all) {
        return new ImageGc(store, users, driver).prune(all);
    }

    /**
     * Makes sure the storage driver holds the image's layers; returns their ids, bottom first, for
     * {@link StorageDriver#prepare}.
     *
     * @throws UnsupportedFeatureException if there is no storage driver
     */
    public List<String> unpack(Digest imageId) {
        if (driver == null) {
            throw new UnsupportedFeatureException("no storage driver is available to unpack image " + imageId);
        }
        return ImageLayers.unpack(store, imageId, driver, PullProgress.NONE);
    }
}
