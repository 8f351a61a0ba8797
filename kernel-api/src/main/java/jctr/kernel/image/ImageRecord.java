package jctr.kernel.image;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the image store keeps about one image (names are kept separately, in {@link Repositories}).
 *
 * @param id the image id: the digest of its config blob
 * @param manifest the digest of its single-platform manifest blob
 * @param created the config's creation time as written (RFC 3339), or null
 * @param size the sum of the sizes of its layer blobs as stored (compressed when the layers are)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageRecord(Digest id, Digest manifest, String created, long size) {
    public ImageRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(manifest, "manifest");
    }
}
