package jctr.kernel.image;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A content descriptor: the typed, sized reference by digest that indexes, manifests and layouts use.
 *
 * @param mediaType what the referenced content is
 * @param digest its digest
 * @param size its length in bytes
 * @param urls where non-distributable content can be fetched (recorded, never followed)
 * @param annotations e.g. {@code org.opencontainers.image.ref.name} in an OCI layout's index
 * @param platform in an index: the platform of the manifest
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Descriptor(String mediaType, Digest digest, long size, List<String> urls,
                         Map<String, String> annotations, Platform platform) {

    /** Annotation naming an image in an OCI layout: a tag or a whole reference. */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    /** Annotation containerd and Docker 25+ add in layouts: the whole normalized reference. */
    public static final String CONTAINERD_IMAGE_NAME = "io.containerd.image.name";

    public Descriptor {
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size + " for " + digest);
        }
        urls = ImageCollections.list(urls);
        annotations = ImageCollections.map(annotations, null);
    }

    /** A plain descriptor without urls, annotations or platform. */
    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, null, null);
    }

    /** A copy with other annotations. */
    public Descriptor withAnnotations(Map<String, String> newAnnotations) {
        return new Descriptor(mediaType, digest, size, urls, newAnnotations, platform);
    }
}
