package jctr.kernel.image;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Pulls an image from a registry into the store: resolves the reference to a manifest (choosing the
 * platform from an index), fetches the config, downloads the missing layer blobs in parallel (bounded),
 * and records the image under the tag and the digest it was pulled by. Only blobs and metadata are
 * written here; {@link ImageLayers#unpack} makes the storage-driver layers.
 *
 * <p>Nothing is recorded unless everything verified: a layer with a wrong digest fails the pull, and the
 * manifest and config are stored only after all layers are. Layers that did verify stay in the blob store
 * (a retry does not download them again; {@code prune} removes them if the image never arrives).
 */
public final class ImagePuller {

    /**
     * Pull settings.
     *
     * @param platform picked from multi-platform images
     * @param parallel layer downloads at a time (Docker uses 3)
     * @param retries times a broken layer download is resumed before the pull fails
     * @param insecure registries ({@code host[:port]}) reached over plain HTTP besides loopback ones
     * @param credentials credentials per registry
     * @param stallTimeout a layer download that receives nothing for this long is treated as broken and resumed
     */
    public record Options(Platform platform, int parallel, int retries, List<String> insecure,
                          RegistryCredentials credentials, Duration stallTimeout) {
        public Options {
            if (parallel < 1) {
                throw new IllegalArgumentException("parallel must be at least 1");
            }
            insecure = List.copyOf(insecure);
        }

        /** linux/amd64, 3 parallel downloads, 3 retries, no extra insecure registries, no credentials, 60 s stalls. */
        public static Options defaults() {
            return new Options(Platform.LINUX_AMD64, 3, 3, List.of(), RegistryCredentials.NONE, Duration.ofSeconds(60));
        }

        /** These options for another platform. */
        public Options withPlatform(Platform p) {
            return new Options(p, parallel, retries, insecure, credentials, stallTimeout);
        }

        /** These options with other credentials. */
        public Options withCredentials(RegistryCredentials c) {
            return new Options(platform, parallel, retries, insecure, c, stallTimeout);
        }
    }

    /**
     * The outcome of a pull.
     *
     * @param imageId the image id
     * @param reference the reference as pulled (tag or digest)
     * @param repoDigest the digest the registry knows the image by (an index's digest for multi-platform images)
     * @param downloaded false when the image was already present under that name
     */
    public record Result(Digest imageId, Reference reference, Digest repoDigest, boolean downloaded) {
    }

    private final ImageStore store;
    private final Options options;

    public ImagePuller(ImageStore store, Options options) {
        this.store = store;
        this.options = options;
    }

    /**
     * Pulls {@code reference} (a missing tag means {@code latest}).
     *
     * @throws RegistryException naming registry, repository and what failed (404 for an unknown tag, 401, ...)
     * @throws DigestMismatchException if any content does not match its digest; nothing is recorded
     * @throws jctr.kernel.NotFoundException if an index has no manifest for the platform
     */
    public Result pull(Reference reference, PullProgress progress) {
        Reference ref = reference.orLatest();
        String repo = ref.path();
        RegistryClient client = new RegistryClient(ref.domain(), options.insecure(), options.credentials(), options.retries(),
                options.stallTimeout());
        String wanted = ref.digest() != null ? ref.digest().toString() : ref.tag();
        progress.message(ref.digest() != null ? ref.digest().toString() : ref.tag(), "Pulling from " + repo);
        client.ping(repo);

        RegistryClient.Manifest top = client.manifest(repo, wanted);
        RegistryClient.Manifest m = top;
        while (MediaTypes.isIndex(m.mediaType())) {
            ImageIndex index = ImageJson.index(ref.domain() + "/" + repo + ": index " + m.digest(), m.body());
            Descriptor chosen = Platforms.select(index, options.platform(), ref.familiar());
            m = client.manifest(repo, chosen.digest().toString());
        }
        String msrc = ref.domain() + "/" + repo + ": manifest " + m.digest();
        if (!MediaTypes.isManifest(m.mediaType())) {
            ImageJson.manifest(msrc, m.body()); // throws the specific error (schema 1, artifact)
            throw new jctr.kernel.UnsupportedFeatureException(msrc + ": unsupported media type " + m.mediaType());
        }
        ImageManifest manifest = ImageJson.manifest(msrc, m.body());
        byte[] configBytes = store.blobs().has(manifest.config().digest())
                ? store.blobs().read(manifest.config().digest(), ImageStore.DOCUMENT_LIMIT, "config " + manifest.config().digest())
                : client.smallBlob(repo, manifest.config(), (int) ImageStore.DOCUMENT_LIMIT);
        ImageConfig config = ImageJson.config(ref.domain() + "/" + repo + ": config " + manifest.config().digest(), configBytes);
        ImageJson.checkLayers(msrc, manifest, config);
        if (!Platforms.matches(config.platform(), new Platform(options.platform().architecture(), options.platform().os(),
                null, null, null))) {
            progress.message(null, "WARNING: the image's platform (" + config.platform() + ") does not match the "
                    + "requested platform (" + options.platform() + ")");
        }

        Digest id = manifest.config().digest();
        Repositories before = store.read();
        boolean upToDate = before.image(id) != null && id.equals(nameTarget(before, ref))
                && manifest.layers().stream().allMatch(l -> store.blobs().has(l.digest()));
        try (StoreLock _ = store.gcShared()) {
            fetchLayers(client, repo, manifest, progress);
            store.blobs().put(configBytes, manifest.config().digest(), "config " + manifest.config().digest());
            store.blobs().put(m.body(), m.digest(), "manifest " + m.digest());
            if (top != m) {
                store.blobs().put(top.body(), top.digest(), "index " + top.digest());
            }
            List<Reference> names = new ArrayList<>();
            if (ref.digest() == null) {
                names.add(ref);
            }
            names.add(ref.withDigest(top.digest()));
            store.record(ImageStore.newRecord(m.digest(), manifest, config), names);
        }
        progress.message(null, "Digest: " + top.digest());
        progress.message(null, "Status: " + (upToDate ? "Image is up to date for " : "Downloaded newer image for ")
                + ref.familiar());
        return new Result(id, ref, top.digest(), !upToDate);
    }

    private static Digest nameTarget(Repositories r, Reference ref) {
        return ref.digest() != null ? r.digests().get(ref.repository() + "@" + ref.digest()) : r.tags().get(ref.toString());
    }

    private void fetchLayers(RegistryClient client, String repo, ImageManifest manifest, PullProgress progress) {
        Map<Digest, Descriptor> missing = new LinkedHashMap<>();
        for (Descriptor l : manifest.layers()) {
            if (store.blobs().has(l.digest())) {
                progress.layer(l.digest().shortHex(), PullProgress.Status.ALREADY_EXISTS, 0, 0);
            } else if (missing.putIfAbsent(l.digest(), l) == null) {
                progress.layer(l.digest().shortHex(), PullProgress.Status.PULLING_FS_LAYER, 0, 0);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        int i = 0;
        for (Descriptor l : missing.values()) {
            if (i++ >= options.parallel()) {
                progress.layer(l.digest().shortHex(), PullProgress.Status.WAITING, 0, 0);
            }
        }
        AtomicBoolean failed = new AtomicBoolean();
        AtomicReference<RuntimeException> firstError = new AtomicReference<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(options.parallel(), Thread.ofVirtual().name("pull-", 0).factory())) {
            for (Descriptor l : missing.values()) {
                pool.execute(() -> {
                    if (failed.get()) {
                        return;
                    }
                    try {
                        download(client, repo, l, progress, failed);
                    } catch (RuntimeException e) {
                        // The first failure is the one to report; the others are mostly its cancellations.
                        firstError.compareAndSet(null, e);
                        failed.set(true);
                    }
                });
            }
        } // close() waits for every download
        if (firstError.get() != null) {
            throw firstError.get();
        }
    }

    private void download(RegistryClient client, String repo, Descriptor l, PullProgress progress, AtomicBoolean failed) {
        String shortId = l.digest().shortHex();
        client.download(repo, l, store.blobs(), new RegistryClient.DownloadListener() {
            @Override
            public void progress(long current, long total) {
                progress.layer(shortId, PullProgress.Status.DOWNLOADING, current, total);
            }

            @Override
            public void verifying() {
                progress.layer(shortId, PullProgress.Status.VERIFYING, 0, 0);
            }

            @Override
            public void resuming(long offset, Exception cause) {
                progress.layer(shortId, PullProgress.Status.DOWNLOADING, offset, l.size());
            }
        }, failed::get);
        progress.layer(shortId, PullProgress.Status.DOWNLOAD_COMPLETE, 0, 0);
    }
}
