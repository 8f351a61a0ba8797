package jctr.kernel.image;

import java.util.List;

/**
 * An image as listed and inspected: its record and the names that point at it.
 *
 * @param record id, manifest, creation time, size
 * @param repoTags tagged references, sorted
 * @param repoDigests digest references, sorted
 */
public record Image(ImageRecord record, List<Reference> repoTags, List<Reference> repoDigests) {

    public Image {
        repoTags = List.copyOf(repoTags);
        repoDigests = List.copyOf(repoDigests);
    }

    /** The image id (its config's digest). */
    public Digest id() {
        return record.id();
    }

    /** Whether no tag points at the image (Docker's "dangling"). */
    public boolean dangling() {
        return repoTags.isEmpty();
    }
}
