package jctr.kernel.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import jctr.kernel.oci.OciJson;
import jctr.kernel.testing.LayerTar;

/**
 * Builds test images: configs, manifests, and OCI image layouts on disk (what skopeo and umoci read and
 * write); layer tars come from {@link LayerTar}. Public for the tests of other modules (kernel-api's test-jar).
 */
public final class TestImages {

    private TestImages() {
    }

    /** An uncompressed layer tar holding {@code files} (path to text content), in order. */
    public static byte[] layerTar(Map<String, String> files) {
        LayerTar tar = new LayerTar();
        files.forEach(tar::file);
        return tar.bytes();
    }

    public static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image config for linux/amd64 with these layers' diff ids and a Cmd. */
    public static byte[] config(List<byte[]> uncompressedLayers, List<String> cmd, List<String> env) {
        List<String> diffIds = new ArrayList<>();
        for (byte[] l : uncompressedLayers) {
            diffIds.add(Digest.sha256(l).toString());
        }
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("Env", env);
        if (cmd != null) {
            cfg.put("Cmd", cmd);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("created", "2024-05-01T12:00:00Z");
        doc.put("architecture", "amd64");
        doc.put("os", "linux");
        doc.put("config", cfg);
        doc.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        return OciJson.writeCompact(doc);
    }

    /**
     * An image written into a layout.
     *
     * @param manifest the manifest's digest
     * @param id the config's digest (the image id)
     * @param layers the layer blobs' digests
     * @param diffIds the uncompressed layers' digests
     */
    public record Built(Digest manifest, long manifestSize, Digest id, List<Digest> layers, List<Digest> diffIds) {
    }

    /** An OCI image layout directory being written. */
    public static final class Layout {
        private final Path dir;
        private final List<Descriptor> index = new ArrayList<>();

        /** A layout in {@code dir} (created). */
        public Layout(Path dir) {
            this.dir = dir;
            try {
                Files.createDirectories(dir.resolve("blobs/sha256"));
                Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public Path dir() {
            return dir;
        }

        /** Writes a blob and returns its digest. */
        public Digest blob(byte[] content) {
            Digest d = Digest.sha256(content);
            try {
                Files.write(dir.resolve("blobs/sha256/" + d.hex()), content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return d;
        }

        /**
         * Adds an image with these (uncompressed) layers, gzipped or not, listed in index.json with
         * {@code annotations}, and rewrites index.json.
         */
        public Built image(List<byte[]> layers, boolean gzip, List<String> cmd, Map<String, String> annotations) {
            byte[] config = config(layers, cmd, List.of("PATH=/bin", "IMAGE=test"));
            Digest configDigest = blob(config);
            List<Map<String, Object>> layerDescs = new ArrayList<>();
            List<Digest> layerDigests = new ArrayList<>();
            List<Digest> diffIds = new ArrayList<>();
            for (byte[] l : layers) {
                byte[] blob = gzip ? gzip(l) : l;
                Digest d = blob(blob);
                layerDigests.add(d);
                diffIds.add(Digest.sha256(l));
                layerDescs.add(Map.of("mediaType", gzip ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER,
                        "digest", d.toString(), "size", blob.length));
            }
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
            manifest.put("config", Map.of("mediaType", MediaTypes.OCI_CONFIG, "digest", configDigest.toString(),
                    "size", config.length));
            manifest.put("layers", layerDescs);
            byte[] m = OciJson.writeCompact(manifest);
            Digest md = blob(m);
            index.add(new Descriptor(MediaTypes.OCI_MANIFEST, md, m.length, null, annotations, null));
            writeIndex();
            return new Built(md, m.length, configDigest, layerDigests, diffIds);
        }

        /** Adds a raw index entry (e.g. a nested index) and rewrites index.json. */
        public void entry(Descriptor d) {
            index.add(d);
            writeIndex();
        }

        private void writeIndex() {
            try {
                Files.write(dir.resolve("index.json"), OciJson.writeCompact(ImageIndex.of(index)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
