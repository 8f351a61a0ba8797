package jctr.kernel.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.annotation.JsonProperty;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;
import jctr.kernel.ResourceLimitException;
import jctr.kernel.layer.TarEntry;
import jctr.kernel.layer.TarLimits;
import jctr.kernel.layer.TarReader;
import jctr.kernel.oci.OciJson;

/**
 * Imports images from archives into the store:
 * <ul>
 *   <li>an OCI image layout, as a directory or a tar ({@code oci-layout}, {@code index.json},
 *       {@code blobs/<alg>/<hex>}: what {@code skopeo copy ... oci:DIR:tag}, {@code umoci} and Docker 25+
 *       {@code docker save} produce). Images are named by the {@code io.containerd.image.name} annotation, or
 *       by {@code org.opencontainers.image.ref.name} when that holds a whole reference (a bare tag does not say
 *       which repository, so such an image is imported unnamed unless a name is given);</li>
 *   <li>a {@code docker save} archive in the legacy layout ({@code manifest.json}, {@code <id>.json} configs,
 *       {@code <id>/layer.tar}), named by its {@code RepoTags}; a manifest is made for it.</li>
 * </ul>
 * Tars may be gzip-compressed. Every blob is verified against its digest as it is stored; for uncompressed
 * layers the diff id is checked too (compressed ones are checked when unpacked). Blobs the archive carried
 * that no imported image uses (other platforms, stray files) are not kept.
 */
public final class ImageImporter {

    /** Files other than blobs that are kept in memory while a tar is read; larger ones go to the blob store. */
    private static final int SMALL_FILE = 1 << 20;

    /**
     * One imported image.
     *
     * @param id the image id
     * @param names the references now pointing at it (may be empty)
     */
    public record Imported(Digest id, List<Reference> names) {
        public Imported {
            names = List.copyOf(names);
        }
    }

    private final ImageStore store;
    private final Platform platform;

    /** @param platform picked from multi-platform indexes in layouts */
    public ImageImporter(ImageStore store, Platform platform) {
        this.store = store;
        this.platform = platform;
    }

    /**
     * Imports a directory (OCI layout or an extracted {@code docker save}) or a tar file.
     *
     * @param name an extra name for the image, or null; an error if the archive holds several images
     */
    public List<Imported> importPath(Path path, Reference name) {
        if (Files.isDirectory(path)) {
            try (StoreLock _ = store.gcShared()) {
                DirArchive archive = new DirArchive(path.toAbsolutePath(), store.blobs());
                try {
                    return importFrom(archive, name);
                } finally {
                    archive.dropUnused(store);
                }
            }
        }
        try (InputStream in = Files.newInputStream(path)) {
            return importTar(in, path.toString(), name);
        } catch (NoSuchFileException e) {
            throw new NotFoundException(path + ": no such file or directory", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }

    /** Imports a tar (plain or gzip-compressed) read from {@code in}, which is read to its end but not closed. */
    public List<Imported> importTar(InputStream in, String source, Reference name) {
        try (StoreLock _ = store.gcShared()) {
            BufferedInputStream buffered = new BufferedInputStream(in, 64 * 1024);
            buffered.mark(4);
            byte[] head = buffered.readNBytes(4);
            buffered.reset();
            InputStream tar = MediaTypes.sniff(head, head.length) == MediaTypes.Compression.GZIP
                    ? new GZIPInputStream(buffered, 64 * 1024) : buffered;
            TarArchive archive = new TarArchive(source, store.blobs());
            try {
                archive.read(tar);
                return importFrom(archive, name);
            } finally {
                archive.dropUnused(store);
            }
        } catch (IOException e) {
            throw new InvalidConfigException(source, "", "cannot read the archive: " + e.getMessage(), e);
        }
    }

    private List<Imported> importFrom(Archive archive, Reference name) {
        List<Pending> pending;
        if (archive.has("index.json")) {
            pending = fromLayout(archive);
        } else if (archive.has("manifest.json")) {
            pending = fromDockerArchive(archive);
        } else {
            throw new InvalidConfigException(archive.source(), "", "neither an OCI image layout (no index.json) nor a "
                    + "docker save archive (no manifest.json)");
        }
        if (pending.isEmpty()) {
            throw new InvalidConfigException(archive.source(), "", "the archive holds no image");
        }
        if (name != null) {
            if (pending.size() != 1) {
                throw new InvalidConfigException(archive.source(), "", "the archive holds " + pending.size()
                        + " images; cannot name them all " + name.familiar());
            }
            pending.getFirst().names.add(name.orLatest());
        }
        List<Imported> out = new ArrayList<>();
        for (Pending p : pending) {
            store.record(p.record, new ArrayList<>(p.names));
            out.add(new Imported(p.record.id(), new ArrayList<>(p.names)));
            archive.used().addAll(p.blobs);
        }
        return out;
    }

    /** An image read from the archive, its blobs stored, not yet recorded. */
    private record Pending(ImageRecord record, Set<Reference> names, Set<Digest> blobs) {
    }

    private List<Pending> fromLayout(Archive archive) {
        String src = archive.source() + ": index.json";
        if (archive.has("oci-layout")) {
            OciLayout layout = OciJson.read(archive.source() + ": oci-layout",
                    new java.io.ByteArrayInputStream(archive.document("oci-layout")), OciLayout.class, false).value();
            if (layout.version() == null || !layout.version().startsWith("1.")) {
                throw new InvalidConfigException(archive.source() + ": oci-layout", "imageLayoutVersion",
                        "unsupported layout version " + layout.version());
            }
        }
        ImageIndex index = ImageJson.index(src, archive.document("index.json"));
        Map<Digest, Pending> byManifest = new java.util.LinkedHashMap<>();
        for (int i = 0; i < index.manifests().size(); i++) {
            Descriptor d = index.manifests().get(i);
            Set<Digest> blobs = new HashSet<>();
            Descriptor manifestDesc = d;
            while (MediaTypes.isIndex(manifestDesc.mediaType())) {
                byte[] nested = blobBytes(archive, manifestDesc, blobs);
                manifestDesc = Platforms.select(ImageJson.index(archive.source() + ": " + manifestDesc.digest(), nested),
                        platform, archive.source() + ": index.json manifests[" + i + "]");
            }
            if (!MediaTypes.isManifest(manifestDesc.mediaType())) {
                continue; // an artifact or something else that is not an image
            }
            Pending p = byManifest.get(manifestDesc.digest());
            if (p == null) {
                p = loadManifest(archive, manifestDesc, blobs);
                byManifest.put(manifestDesc.digest(), p);
            }
            p.names.addAll(namesFromAnnotations(d));
        }
        List<Pending> out = new ArrayList<>(byManifest.values());
        if (archive.has("manifest.json")) {
            addRepoTags(archive, out);
        }
        return out;
    }

    private Pending loadManifest(Archive archive, Descriptor manifestDesc, Set<Digest> blobs) {
        byte[] manifestBytes = blobBytes(archive, manifestDesc, blobs);
        String msrc = archive.source() + ": manifest " + manifestDesc.digest();
        ImageManifest manifest = ImageJson.manifest(msrc, manifestBytes);
        byte[] configBytes = blobBytes(archive, manifest.config(), blobs);
        ImageConfig config = ImageJson.config(archive.source() + ": config " + manifest.config().digest(), configBytes);
        ImageJson.checkLayers(msrc, manifest, config);
        for (Descriptor layer : manifest.layers()) {
            String path = blobPath(layer.digest());
            if (!archive.has(path)) {
                throw new NotFoundException(archive.source() + ": layer " + layer.digest() + " is not in the archive"
                        + (layer.urls().isEmpty() ? "" : " (a foreign layer; jctr does not fetch foreign URLs)"));
            }
            blobs.add(archive.blob(path, layer.digest(), layer.size()));
        }
        return new Pending(ImageStore.newRecord(manifestDesc.digest(), manifest, config), new LinkedHashSet<>(), blobs);
    }

    private static byte[] blobBytes(Archive archive, Descriptor d, Set<Digest> blobs) {
        if (d.size() > ImageStore.DOCUMENT_LIMIT) {
            throw new ResourceLimitException(archive.source() + ": " + d.digest() + " is larger than "
                    + ImageStore.DOCUMENT_LIMIT + " bytes");
        }
        Digest digest = archive.blob(blobPath(d.digest()), d.digest(), d.size());
        blobs.add(digest);
        return archive.store().read(digest, ImageStore.DOCUMENT_LIMIT, archive.source() + ": " + digest);
    }

    private static String blobPath(Digest d) {
        return "blobs/" + d.algorithm() + "/" + d.hex();
    }

    /** The reference an OCI layout entry's annotations give, if they give a whole one. */
    private static List<Reference> namesFromAnnotations(Descriptor d) {
        String full = d.annotations().get(Descriptor.CONTAINERD_IMAGE_NAME);
        if (full == null) {
            String ref = d.annotations().get(Descriptor.REF_NAME);
            if (ref != null && (ref.contains("/") || ref.contains(":") || ref.contains("@"))) {
                full = ref;
            }
        }
        if (full == null) {
            return List.of();
        }
        try {
            return List.of(Reference.parse(full).orLatest());
        } catch (InvalidConfigException e) {
            return List.of(); // a name jctr cannot use does not make the image unusable
        }
    }

    /** Docker's manifest.json entries, in either layout. */
    private record DockerManifestEntry(@JsonProperty("Config") String config,
                                       @JsonProperty("RepoTags") List<String> repoTags,
                                       @JsonProperty("Layers") List<String> layers) {
        DockerManifestEntry {
            repoTags = repoTags == null ? List.of() : List.copyOf(repoTags);
            layers = layers == null ? List.of() : List.copyOf(layers);
        }
    }

    /** The oci-layout file. */
    private record OciLayout(@JsonProperty("imageLayoutVersion") String version) {
    }

    private static DockerManifestEntry[] dockerManifest(Archive archive) {
        return OciJson.read(archive.source() + ": manifest.json",
                new java.io.ByteArrayInputStream(archive.document("manifest.json")), DockerManifestEntry[].class, false).value();
    }

    private static void addRepoTags(Archive archive, List<Pending> images) {
        for (DockerManifestEntry e : dockerManifest(archive)) {
            for (Pending p : images) {
                if (e.config() != null && e.config().equals(blobPath(p.record.id()))) {
                    p.names.addAll(parseTags(archive, e));
                }
            }
        }
    }

    private static List<Reference> parseTags(Archive archive, DockerManifestEntry e) {
        List<Reference> out = new ArrayList<>();
        for (String t : e.repoTags()) {
            try {
                out.add(Reference.parse(t).orLatest());
            } catch (InvalidConfigException ex) {
                throw new InvalidConfigException(archive.source() + ": manifest.json", "RepoTags", ex.getMessage(), ex);
            }
        }
        return out;
    }

    private List<Pending> fromDockerArchive(Archive archive) {
        DockerManifestEntry[] entries = dockerManifest(archive);
        List<Pending> out = new ArrayList<>();
        for (int i = 0; i < entries.length; i++) {
            DockerManifestEntry e = entries[i];
            String field = "[" + i + "]";
            String src = archive.source() + ": manifest.json";
            if (e.config() == null) {
                throw new InvalidConfigException(src, field + ".Config", "is required");
            }
            Set<Digest> blobs = new HashSet<>();
            byte[] configBytes = archive.document(e.config());
            Digest configDigest = Digest.sha256(configBytes);
            String base = Path.of(e.config()).getFileName().toString();
            if (base.matches("[0-9a-f]{64}\\.json") && !base.startsWith(configDigest.hex())) {
                throw new DigestMismatchException(archive.source() + ": " + e.config(),
                        new Digest("sha256", base.substring(0, 64)), configDigest);
            }
            archive.put(configBytes, configDigest, archive.source() + ": " + e.config());
            blobs.add(configDigest);
            ImageConfig config = ImageJson.config(archive.source() + ": " + e.config(), configBytes);
            if (config.diffIds().size() != e.layers().size()) {
                throw new InvalidConfigException(src, field + ".Layers", "lists " + e.layers().size()
                        + " layers but the config has " + config.diffIds().size() + " diff_ids");
            }
            List<Descriptor> layers = new ArrayList<>();
            for (int l = 0; l < e.layers().size(); l++) {
                Digest d = archive.blob(e.layers().get(l), null, -1);
                blobs.add(d);
                MediaTypes.Compression c = sniff(archive.store(), d);
                if (c == MediaTypes.Compression.NONE && !d.equals(config.diffIds().get(l))) {
                    throw new DigestMismatchException(archive.source() + ": layer " + e.layers().get(l) + " (diff_id)",
                            config.diffIds().get(l), d);
                }
                layers.add(new Descriptor(MediaTypes.ociLayer(c), d, archive.store().size(d)));
            }
            ImageManifest manifest = new ImageManifest(2, MediaTypes.OCI_MANIFEST,
                    new Descriptor(MediaTypes.OCI_CONFIG, configDigest, configBytes.length), layers, null);
            byte[] manifestBytes = OciJson.writeCompact(manifest);
            Digest manifestDigest = archive.put(manifestBytes, null, archive.source() + ": manifest");
            blobs.add(manifestDigest);
            out.add(new Pending(ImageStore.newRecord(manifestDigest, manifest, config),
                    new LinkedHashSet<>(parseTags(archive, e)), blobs));
        }
        return out;
    }

    private static MediaTypes.Compression sniff(BlobStore blobs, Digest d) {
        try (InputStream in = Files.newInputStream(blobs.path(d))) {
            byte[] head = in.readNBytes(4);
            return MediaTypes.sniff(head, head.length);
        } catch (IOException e) {
            throw new UncheckedIOException("reading blob " + d, e);
        }
    }

    /**
     * Where an import reads from. It remembers the blobs it added to the store, so that those no imported
     * image uses (other platforms, stray files, everything of a failed import) are removed again.
     */
    private abstract static class Archive {
        final BlobStore store;
        final Set<Digest> added = new HashSet<>();
        final Set<Digest> used = new HashSet<>();

        Archive(BlobStore store) {
            this.store = store;
        }

        abstract String source();

        abstract boolean has(String path);

        /** A small file's content. */
        abstract byte[] document(String path);

        /** Makes sure the file at {@code path} is a stored blob (verified against {@code expected} if given). */
        abstract Digest blob(String path, Digest expected, long size);

        BlobStore store() {
            return store;
        }

        /** Blobs the imported images use (filled in by the importer). */
        Set<Digest> used() {
            return used;
        }

        /** Stores content, remembering whether it is new. */
        Digest put(byte[] content, Digest expected, String what) {
            return put(new java.io.ByteArrayInputStream(content), expected, content.length, what);
        }

        Digest put(InputStream in, Digest expected, long size, String what) {
            try {
                BlobStore.Stored s = store.putTracked(in, expected, size, what);
                if (s.created()) {
                    added.add(s.digest());
                }
                return s.digest();
            } catch (IOException e) {
                throw new UncheckedIOException("storing " + what, e);
            }
        }

        /** Removes the blobs this archive added that no image of the store uses. */
        void dropUnused(ImageStore imageStore) {
            if (added.isEmpty()) {
                return;
            }
            Set<Digest> referenced = ImageGc.referencedBlobs(imageStore);
            for (Digest d : added) {
                if (!used.contains(d) && !referenced.contains(d)) {
                    store.delete(d);
                }
            }
        }
    }

    /** A directory: an OCI layout or an extracted docker save. */
    private static final class DirArchive extends Archive {
        private final Path dir;

        DirArchive(Path dir, BlobStore store) {
            super(store);
            this.dir = dir;
        }

        @Override
        String source() {
            return dir.toString();
        }

        private Path resolve(String path) {
            Path rel = Path.of(path).normalize();
            if (rel.isAbsolute() || rel.startsWith("..") || path.isEmpty()) {
                throw new InvalidConfigException(source(), "", "path \"" + path + "\" leaves the archive");
            }
            return dir.resolve(rel);
        }

        @Override
        boolean has(String path) {
            return Files.isRegularFile(resolve(path));
        }

        @Override
        byte[] document(String path) {
            Path p = resolve(path);
            try {
                if (Files.size(p) > SMALL_FILE) {
                    throw new ResourceLimitException(source() + ": " + path + " is larger than " + SMALL_FILE + " bytes");
                }
                return Files.readAllBytes(p);
            } catch (NoSuchFileException e) {
                throw new NotFoundException(source() + ": " + path + " is missing", e);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + p, e);
            }
        }

        @Override
        Digest blob(String path, Digest expected, long size) {
            if (expected != null && store.has(expected)) {
                return expected;
            }
            Path p = resolve(path);
            try (InputStream in = Files.newInputStream(p)) {
                return put(in, expected, size, source() + ": " + path);
            } catch (NoSuchFileException e) {
                throw new NotFoundException(source() + ": " + path + " is missing", e);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + p, e);
            }
        }
    }

    /** A tar read in one pass: blobs and large files went to the blob store, small files are in memory. */
    private static final class TarArchive extends Archive {
        private final String source;
        private final Map<String, byte[]> small = new HashMap<>();
        private final Map<String, Digest> stored = new HashMap<>();

        TarArchive(String source, BlobStore store) {
            super(store);
            this.source = source;
        }

        void read(InputStream in) {
            TarReader tar = new TarReader(in, TarLimits.DEFAULTS, source);
            for (TarEntry e = tar.next().orElse(null); e != null; e = tar.next().orElse(null)) {
                if (e.type() != TarEntry.Type.REGULAR) {
                    continue;
                }
                String name = normalize(e.name());
                Digest named = blobName(name);
                if (named != null) {
                    if (!store.has(named)) {
                        put(tar.content(), named, e.size(), source + ": " + name);
                    }
                    stored.put(name, named);
                } else if (e.size() <= SMALL_FILE) {
                    try {
                        small.put(name, tar.content().readAllBytes());
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex); // the tar reader reports its stream's failures itself
                    }
                } else {
                    // A large file outside blobs/: a legacy layer.tar. Its digest is learnt while storing it.
                    stored.put(name, put(tar.content(), null, e.size(), source + ": " + name));
                }
            }
        }

        private static Digest blobName(String name) {
            String[] parts = name.split("/");
            if (parts.length == 3 && parts[0].equals("blobs")) {
                try {
                    return new Digest(parts[1], parts[2]);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
            return null;
        }

        @Override
        String source() {
            return source;
        }

        @Override
        boolean has(String path) {
            String p = normalize(path);
            return small.containsKey(p) || stored.containsKey(p);
        }

        @Override
        byte[] document(String path) {
            String p = normalize(path);
            byte[] b = small.get(p);
            if (b != null) {
                return b;
            }
            Digest d = stored.get(p);
            if (d == null) {
                throw new NotFoundException(source + ": " + path + " is missing");
            }
            return store.read(d, SMALL_FILE, source + ": " + path);
        }

        @Override
        Digest blob(String path, Digest expected, long size) {
            String p = normalize(path);
            Digest d = stored.get(p);
            if (d == null) {
                byte[] b = small.get(p);
                if (b == null) {
                    throw new NotFoundException(source + ": " + path + " is missing");
                }
                d = put(b, expected, source + ": " + path);
                stored.put(p, d);
            }
            if (expected != null && !d.equals(expected)) {
                throw new DigestMismatchException(source + ": " + path, expected, d);
            }
            if (size >= 0 && store.size(d) != size) {
                throw new InvalidConfigException(source, path, "size is " + store.size(d) + " bytes, its descriptor says " + size);
            }
            return d;
        }

        private static String normalize(String path) {
            String p = path;
            while (p.startsWith("./") || p.startsWith("/")) {
                p = p.substring(p.startsWith("/") ? 1 : 2);
            }
            return p;
        }
    }
}
