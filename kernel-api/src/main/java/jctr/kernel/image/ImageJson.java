package jctr.kernel.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.OciJson;

/**
 * Parses and checks image documents (indexes, manifests, configs). Unknown fields are ignored, as the
 * image spec requires; a missing or ill-typed required field is an {@link InvalidConfigException} naming
 * the document and the field.
 */
public final class ImageJson {

    private ImageJson() {
    }

    /**
     * The media type of a manifest-like document: the one declared by the transport (an HTTP
     * Content-Type, a descriptor) when it is specific, else its {@code mediaType} field, else guessed from
     * its shape ({@code manifests} means an index, {@code config} a manifest).
     */
    public static String mediaTypeOf(String source, byte[] json, String declared) {
        String d = MediaTypes.base(declared);
        if (MediaTypes.isIndex(d) || MediaTypes.isManifest(d) || MediaTypes.isSchema1(d)) {
            return d;
        }
        JsonNode node;
        try {
            node = OciJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new InvalidConfigException(source, "", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (node == null || !node.isObject()) {
            throw new InvalidConfigException(source, "", "not a JSON object");
        }
        JsonNode mt = node.get("mediaType");
        if (mt != null && mt.isTextual()) {
            return MediaTypes.base(mt.asText());
        }
        JsonNode schema = node.get("schemaVersion");
        if (schema != null && schema.asInt() == 1) {
            return MediaTypes.DOCKER_MANIFEST_V1;
        }
        if (node.has("manifests")) {
            return MediaTypes.OCI_INDEX;
        }
        if (node.has("config") && node.has("layers")) {
            return MediaTypes.OCI_MANIFEST;
        }
        throw new InvalidConfigException(source, "mediaType", "cannot tell what this document is: no mediaType, "
                + "and neither manifests nor config/layers");
    }

    /** Parses an image index or manifest list. */
    public static ImageIndex index(String source, byte[] json) {
        ImageIndex index = OciJson.read(source, new ByteArrayInputStream(json), ImageIndex.class, false).value();
        checkSchema(source, index.schemaVersion());
        for (int i = 0; i < index.manifests().size(); i++) {
            if (index.manifests().get(i).mediaType() == null) {
                throw new InvalidConfigException(source, "manifests[" + i + "].mediaType", "is required");
            }
        }
        return index;
    }

    /**
     * Parses a single-platform manifest.
     *
     * @throws UnsupportedFeatureException for a Docker schema 1 manifest or a non-image artifact
     */
    public static ImageManifest manifest(String source, byte[] json) {
        String mt = mediaTypeOf(source, json, null);
        if (MediaTypes.isSchema1(mt)) {
            throw new UnsupportedFeatureException(source + ": Docker schema 1 manifests are not supported (deprecated "
                    + "since 2017); push the image again with a current client");
        }
        ImageManifest m = OciJson.read(source, new ByteArrayInputStream(json), ImageManifest.class, false).value();
        checkSchema(source, m.schemaVersion());
        if (m.config() == null) {
            throw new InvalidConfigException(source, "config", "is required");
        }
        if (m.config().mediaType() != null && !MediaTypes.isConfig(m.config().mediaType())) {
            throw new UnsupportedFeatureException(source + ": not a container image: its config has media type "
                    + m.config().mediaType());
        }
        for (int i = 0; i < m.layers().size(); i++) {
            String lmt = m.layers().get(i).mediaType();
            try {
                MediaTypes.layerCompression(lmt);
            } catch (IllegalArgumentException e) {
                throw new UnsupportedFeatureException(source + ": layers[" + i + "] has media type " + lmt
                        + ", which is not an image layer");
            }
        }
        return m;
    }

    /** Parses an image config and checks it is for Linux and has diff ids. */
    public static ImageConfig config(String source, byte[] json) {
        ImageConfig c = OciJson.read(source, new ByteArrayInputStream(json), ImageConfig.class, false).value();
        if (c.rootfs() == null) {
            throw new InvalidConfigException(source, "rootfs", "is required");
        }
        if (c.os() != null && !c.os().isEmpty() && !c.os().equals("linux")) {
            throw new UnsupportedFeatureException(source + ": the image is for " + c.os() + "; jctr runs Linux images");
        }
        return c;
    }

    /** Checks that a manifest's layers and its config's diff ids correspond one to one. */
    public static void checkLayers(String source, ImageManifest manifest, ImageConfig config) {
        if (manifest.layers().size() != config.diffIds().size()) {
            throw new InvalidConfigException(source, "rootfs.diff_ids", "the config lists " + config.diffIds().size()
                    + " layers but the manifest has " + manifest.layers().size());
        }
    }

    private static void checkSchema(String source, int schemaVersion) {
        if (schemaVersion != 2) {
            throw new InvalidConfigException(source, "schemaVersion", "must be 2, is " + schemaVersion);
        }
    }
}
