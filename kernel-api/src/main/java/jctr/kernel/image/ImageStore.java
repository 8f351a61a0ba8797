package jctr.kernel.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;
import jctr.kernel.oci.OciJson;
import jctr.kernel.state.AtomicFiles;

/**
 * The image store under {@code <dataRoot>/images}: the {@link BlobStore} and {@code repositories.json}
 * (images, tags, digests, created layers), shared by every jctr process on the host.
 *
 * <h2>Concurrency</h2>
 * <ul>
 *   <li>{@code repositories.json} is replaced atomically ({@link AtomicFiles}); readers never lock.
 *       Writers go through {@link #update}, which holds the exclusive lock {@code repositories.lock}
 *       for the read-modify-write.</li>
 *   <li>{@code gc.lock}: whoever writes blobs that no image references yet (pull, import) holds it
 *       shared until the image is recorded; garbage collection holds it exclusively, so it never
 *       collects a blob that is about to be referenced.</li>
 *   <li>{@code layers.lock}: held exclusively while storage-driver layers are created or removed, so
 *       that two pulls sharing a layer do not create it twice.</li>
 * </ul>
 * Locks are always taken in the order gc, layers, repositories.
 */
public final class ImageStore {

    /** Manifests and configs are documents; anything larger is refused (Docker uses 4 MiB for manifests). */
    static final long DOCUMENT_LIMIT = 8L << 20;

    private static final Pattern HEX_PREFIX = Pattern.compile("(sha256:)?[0-9a-f]{1,64}");

    private final Path root;
    private final BlobStore blobs;

    /** The store under {@code dataRoot}/images; created when missing. */
    public ImageStore(Path dataRoot) {
        this.root = dataRoot.toAbsolutePath().resolve("images");
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("creating image store " + root, e);
        }
        this.blobs = new BlobStore(root);
    }

    /** {@code <dataRoot>/images}. */
    public Path root() {
        return root;
    }

    public BlobStore blobs() {
        return blobs;
    }

    /** The current metadata (a consistent snapshot, read without locking). */
    public Repositories read() {
        Path file = root.resolve("repositories.json");
        if (!Files.exists(file)) {
            return Repositories.EMPTY;
        }
        return OciJson.readFile(file, Repositories.class, true).value();
    }

    /**
     * Applies {@code change} to the metadata under the store's lock and writes the result atomically.
     *
     * @return the metadata as written
     */
    public Repositories update(UnaryOperator<Repositories> change) {
        try (StoreLock _ = StoreLock.exclusive(root.resolve("repositories.lock"))) {
            Repositories before = read();
            Repositories after = change.apply(before);
            if (!after.equals(before)) {
                AtomicFiles.write(root.resolve("repositories.json"), OciJson.writeCompact(after));
            }
            return after;
        }
    }

    /** Holds off garbage collection while unreferenced blobs are written. */
    StoreLock gcShared() {
        return StoreLock.shared(root.resolve("gc.lock"));
    }

    /** Excludes every writer of new blobs (for garbage collection). */
    StoreLock gcExclusive() {
        return StoreLock.exclusive(root.resolve("gc.lock"));
    }

    /** The GC lock if no writer holds it now, else null. */
    StoreLock tryGcExclusive() {
        return StoreLock.tryExclusive(root.resolve("gc.lock"));
    }

    /** Serializes creation and removal of storage-driver layers. */
    StoreLock layersLock() {
        return StoreLock.exclusive(root.resolve("layers.lock"));
    }

    /** Every image, newest first. */
    public List<Image> list() {
        Repositories r = read();
        List<Image> out = new ArrayList<>();
        for (ImageRecord rec : r.images().values()) {
            out.add(new Image(rec, r.tagsOf(rec.id()), r.digestsOf(rec.id())));
        }
        out.sort(java.util.Comparator.comparing((Image i) -> createdAt(i.record())).reversed()
                .thenComparing(i -> i.id().toString()));
        return out;
    }

    private static java.time.Instant createdAt(ImageRecord r) {
        try {
            return r.created() == null ? java.time.Instant.EPOCH : java.time.OffsetDateTime.parse(r.created()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return java.time.Instant.EPOCH;
        }
    }

    /**
     * Finds an image as Docker does: by reference ({@code busybox}, {@code busybox:1.36},
     * {@code name@sha256:...}), else by full id or a unique prefix of its hex id.
     *
     * @throws NotFoundException {@code No such image: <name>}
     */
    public Image resolve(String name) {
        Repositories r = read();
        Digest id = find(r, name);
        if (id == null) {
            throw new NotFoundException("No such image: " + name);
        }
        return new Image(r.image(id), r.tagsOf(id), r.digestsOf(id));
    }

    /** The image id {@code name} resolves to in {@code r}, or null. */
    static Digest find(Repositories r, String name) {
        Reference ref = null;
        try {
            ref = Reference.parse(name);
        } catch (InvalidConfigException e) {
            // not a reference: maybe an id
        }
        if (ref != null) {
            Digest id = ref.digest() != null ? r.digests().get(ref.repository() + "@" + ref.digest())
                    : r.tags().get(ref.orLatest().toString());
            if (id != null && r.image(id) != null) {
                return id;
            }
        }
        if (!HEX_PREFIX.matcher(name).matches()) {
            return null;
        }
        String prefix = name.startsWith("sha256:") ? name.substring("sha256:".length()) : name;
        Digest match = null;
        for (ImageRecord rec : r.images().values()) {
            if (rec.id().algorithm().equals("sha256") && rec.id().hex().startsWith(prefix)) {
                if (match != null) {
                    throw new InvalidConfigException("", "image", "\"" + name + "\" matches more than one image id; "
                            + "give more digits");
                }
                match = rec.id();
            }
        }
        return match;
    }

    /** The manifest of {@code image}, read from its (verified) blob. */
    public ImageManifest manifest(ImageRecord image) {
        return ImageJson.manifest("manifest " + image.manifest(), blobs.read(image.manifest(), DOCUMENT_LIMIT,
                "manifest of image " + image.id()));
    }

    /** The config of {@code image}, read from its (verified) blob. */
    public ImageConfig config(ImageRecord image) {
        return ImageJson.config("config " + image.id(), blobs.read(image.id(), DOCUMENT_LIMIT, "config of image " + image.id()));
    }

    /**
     * Points {@code target} at the image {@code source} names.
     *
     * @throws NotFoundException if {@code source} names no image
     * @throws InvalidConfigException if {@code target} is not a valid reference or names a digest
     */
    public Reference tag(String source, String target) {
        Reference ref = Reference.parse(target);
        if (ref.digest() != null) {
            throw new InvalidConfigException("", "reference", "cannot tag with a digest reference: " + target);
        }
        Reference tagged = ref.orLatest();
        update(r -> {
            Digest id = find(r, source);
            if (id == null) {
                throw new NotFoundException("No such image: " + source);
            }
            return r.withName(tagged, id);
        });
        return tagged;
    }

    /**
     * Records an image whose blobs (manifest, config, layers) are all stored, and names it.
     *
     * @param names tagged and digest references to point at it (replacing their old targets)
     */
    void record(ImageRecord image, List<Reference> names) {
        update(r -> {
            Repositories out = r.withImage(image);
            for (Reference n : names) {
                out = out.withName(n, image.id());
            }
            return out;
        });
    }

    /** The size of an image's layers as stored, and its creation time, from its manifest and config. */
    static ImageRecord newRecord(Digest manifestDigest, ImageManifest manifest, ImageConfig config) {
        long size = 0;
        for (Descriptor l : manifest.layers()) {
            size += l.size();
        }
        return new ImageRecord(manifest.config().digest(), manifestDigest, config.created(), size);
    }
}
