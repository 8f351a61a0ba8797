package jctr.kernel.image;

import java.util.Set;

/** The media types of the OCI image spec and of Docker's schema 2, and what jctr does with each. */
public final class MediaTypes {

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String OCI_LAYOUT_VERSION = "1.0.0";

    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_MANIFEST_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /** What a registry client accepts for a manifest, in order of preference. */
    public static final String MANIFEST_ACCEPT = String.join(", ", OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST);

    private static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_LIST);
    private static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
    private static final Set<String> CONFIGS = Set.of(OCI_CONFIG, DOCKER_CONFIG);

    /** How a layer blob is compressed. */
    public enum Compression { NONE, GZIP, ZSTD }

    private MediaTypes() {
    }

    /** Whether {@code mediaType} names an image index or a Docker manifest list. */
    public static boolean isIndex(String mediaType) {
        return INDEXES.contains(base(mediaType));
    }

    /** Whether {@code mediaType} names a single-platform image manifest (OCI or Docker schema 2). */
    public static boolean isManifest(String mediaType) {
        return MANIFESTS.contains(base(mediaType));
    }

    /** Whether {@code mediaType} names an image config. */
    public static boolean isConfig(String mediaType) {
        return CONFIGS.contains(base(mediaType));
    }

    /** Whether {@code mediaType} is a Docker schema 1 manifest (unsupported: deprecated and unsigned-unsafe). */
    public static boolean isSchema1(String mediaType) {
        String b = base(mediaType);
        return b.equals(DOCKER_MANIFEST_V1) || b.equals(DOCKER_MANIFEST_V1_SIGNED);
    }

    /**
     * The compression a layer media type declares.
     *
     * @throws IllegalArgumentException if it is not a layer media type jctr knows
     */
    public static Compression layerCompression(String mediaType) {
        String b = base(mediaType);
        if (b.equals(OCI_LAYER) || b.equals(DOCKER_LAYER) || b.equals(OCI_LAYER + ".nondistributable")
                || b.equals("application/vnd.oci.image.layer.nondistributable.v1.tar")) {
            return Compression.NONE;
        }
        if (b.equals(OCI_LAYER_GZIP) || b.equals(DOCKER_LAYER_GZIP) || b.equals(DOCKER_FOREIGN_LAYER_GZIP)
                || b.equals("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")) {
            return Compression.GZIP;
        }
        if (b.equals(OCI_LAYER_ZSTD) || b.equals("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd")) {
            return Compression.ZSTD;
        }
        throw new IllegalArgumentException("not a layer media type: " + mediaType);
    }

    /** The OCI layer media type for content with {@code compression}. */
    public static String ociLayer(Compression compression) {
        return switch (compression) {
            case NONE -> OCI_LAYER;
            case GZIP -> OCI_LAYER_GZIP;
            case ZSTD -> OCI_LAYER_ZSTD;
        };
    }

    /** The compression of content that starts with {@code head} (magic numbers), for archives that do not say. */
    public static Compression sniff(byte[] head, int length) {
        if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Compression.GZIP;
        }
        if (length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd) {
            return Compression.ZSTD;
        }
        return Compression.NONE;
    }

    /** The media type without parameters ({@code ; charset=utf-8}) and surrounding blanks. */
    static String base(String mediaType) {
        if (mediaType == null) {
            return "";
        }
        int semi = mediaType.indexOf(';');
        return (semi >= 0 ? mediaType.substring(0, semi) : mediaType).trim();
    }
}
