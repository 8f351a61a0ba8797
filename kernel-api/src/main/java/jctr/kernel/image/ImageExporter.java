package jctr.kernel.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonProperty;

import jctr.kernel.AlreadyExistsException;
import jctr.kernel.InvalidConfigException;
import jctr.kernel.layer.TarEntry;
import jctr.kernel.layer.TarWriter;
import jctr.kernel.oci.OciJson;

/**
 * Exports images from the store:
 * <ul>
 *   <li>{@link Format#OCI_DIR}: an OCI image layout directory ({@code skopeo copy oci:DIR ...} reads it);</li>
 *   <li>{@link Format#OCI_TAR}: the same layout as a tar;</li>
 *   <li>{@link Format#DOCKER_TAR}: a {@code docker save} archive: the OCI layout plus {@code manifest.json}
 *       (Docker 25+ writes the same combination; older {@code docker load} reads {@code manifest.json}).</li>
 * </ul>
 * Images named by a reference carry it in the index ({@code io.containerd.image.name} and the tag as
 * {@code org.opencontainers.image.ref.name}) and in {@code RepoTags}; images named by id carry no name.
 * Blobs are verified as they are copied.
 */
public final class ImageExporter {

    /** The archive formats. */
    public enum Format {
        OCI_DIR, OCI_TAR, DOCKER_TAR
    }

    private final ImageStore store;

    public ImageExporter(ImageStore store) {
        this.store = store;
    }

    /** One image to export, with the name it was asked for by (or null when asked for by id). */
    private record Entry(ImageRecord image, Reference name) {
    }

    /**
     * Writes {@code names} to {@code target} in {@code format}. A directory target must not exist or be empty.
     *
     * @throws jctr.kernel.NotFoundException if a name names no image
     */
    public void export(List<String> names, Path target, Format format) {
        List<Entry> entries = resolve(names);
        try {
            if (format == Format.OCI_DIR) {
                writeDir(entries, target);
            } else {
                try (OutputStream out = Files.newOutputStream(target)) {
                    writeTar(entries, out, format == Format.DOCKER_TAR);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("exporting to " + target, e);
        }
    }

    /** Streams {@code names} as a tar (for the engine API's {@code /images/get}); {@code out} is not closed. */
    public void exportTar(List<String> names, OutputStream out, boolean dockerManifest) throws IOException {
        writeTar(resolve(names), out, dockerManifest);
    }

    private List<Entry> resolve(List<String> names) {
        if (names.isEmpty()) {
            throw new InvalidConfigException("", "images", "name at least one image to export");
        }
        Repositories r = store.read();
        List<Entry> out = new ArrayList<>();
        for (String n : names) {
            Image image = store.resolve(n);
            Reference ref = null;
            try {
                Reference parsed = Reference.parse(n);
                if (parsed.digest() == null && image.id().equals(r.tags().get(parsed.orLatest().toString()))) {
                    ref = parsed.orLatest();
                }
            } catch (InvalidConfigException e) {
                // named by id
            }
            out.add(new Entry(image.record(), ref));
        }
        return out;
    }

    private void writeTar(List<Entry> entries, OutputStream out, boolean dockerManifest) throws IOException {
        TarWriter tar = new TarWriter(out);
        tar.write(TarEntry.directory("blobs/", 0755, 0, 0, Instant.EPOCH), null);
        Set<String> algorithms = new LinkedHashSet<>();
        for (Digest d : blobs(entries)) {
            if (algorithms.add(d.algorithm())) {
                tar.write(TarEntry.directory("blobs/" + d.algorithm() + "/", 0755, 0, 0, Instant.EPOCH), null);
            }
            try (BlobStore.Reader blob = store.blobs().open(d, "blob " + d)) {
                tar.write(TarEntry.file(blobPath(d), 0644, 0, 0, store.blobs().size(d), Instant.EPOCH), blob.stream());
                blob.finish();
            }
        }
        file(tar, "oci-layout", layoutFile());
        file(tar, "index.json", OciJson.writeCompact(index(entries)));
        if (dockerManifest) {
            file(tar, "manifest.json", OciJson.writeCompact(dockerManifest(entries)));
        }
        tar.finish();
    }

    /** A small file, owned by root, with a fixed time so that exports of the same images are identical. */
    private static void file(TarWriter tar, String name, byte[] content) {
        tar.write(TarEntry.file(name, 0644, 0, 0, content.length, Instant.EPOCH), new ByteArrayInputStream(content));
    }

    private void writeDir(List<Entry> entries, Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new AlreadyExistsException(dir + " exists and is not empty");
                }
            }
        }
        for (Digest d : blobs(entries)) {
            Path p = dir.resolve(blobPath(d));
            Files.createDirectories(p.getParent());
            try (BlobStore.Reader blob = store.blobs().open(d, "blob " + d); OutputStream o = Files.newOutputStream(p)) {
                blob.stream().transferTo(o);
                blob.finish();
            }
        }
        Files.createDirectories(dir.resolve("blobs"));
        Files.write(dir.resolve("oci-layout"), layoutFile());
        Files.write(dir.resolve("index.json"), OciJson.writeCompact(index(entries)));
    }

    private Set<Digest> blobs(List<Entry> entries) {
        Set<Digest> out = new LinkedHashSet<>();
        for (Entry e : entries) {
            out.add(e.image.manifest());
            out.add(e.image.id());
            for (Descriptor l : store.manifest(e.image).layers()) {
                out.add(l.digest());
            }
        }
        return out;
    }

    private static byte[] layoutFile() {
        return OciJson.writeCompact(Map.of("imageLayoutVersion", MediaTypes.OCI_LAYOUT_VERSION));
    }

    private ImageIndex index(List<Entry> entries) {
        List<Descriptor> manifests = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Entry e : entries) {
            if (!seen.add(e.image.manifest() + " " + e.name)) {
                continue;
            }
            byte[] m = store.blobs().read(e.image.manifest(), ImageStore.DOCUMENT_LIMIT, "manifest " + e.image.manifest());
            String mediaType = ImageJson.mediaTypeOf("manifest " + e.image.manifest(), m, null);
            Map<String, String> annotations = new LinkedHashMap<>();
            if (e.name != null) {
                annotations.put(Descriptor.CONTAINERD_IMAGE_NAME, e.name.toString());
                annotations.put(Descriptor.REF_NAME, e.name.tag());
            }
            manifests.add(new Descriptor(mediaType, e.image.manifest(), m.length, null, annotations, null));
        }
        return ImageIndex.of(manifests);
    }

    /** An entry of Docker's manifest.json. */
    private record DockerEntry(@JsonProperty("Config") String config, @JsonProperty("RepoTags") List<String> repoTags,
                               @JsonProperty("Layers") List<String> layers) {
    }

    private List<DockerEntry> dockerManifest(List<Entry> entries) {
        Map<Digest, DockerEntry> byImage = new LinkedHashMap<>();
        for (Entry e : entries) {
            DockerEntry d = byImage.get(e.image.id());
            if (d == null) {
                List<String> layers = new ArrayList<>();
                for (Descriptor l : store.manifest(e.image).layers()) {
                    layers.add(blobPath(l.digest()));
                }
                d = new DockerEntry(blobPath(e.image.id()), new ArrayList<>(), layers);
                byImage.put(e.image.id(), d);
            }
            if (e.name != null && !d.repoTags.contains(e.name.familiar())) {
                d.repoTags.add(e.name.familiar());
            }
        }
        return new ArrayList<>(byImage.values());
    }

    private static String blobPath(Digest d) {
        return "blobs/" + d.algorithm() + "/" + d.hex();
    }
}
