package jctr.kernel.image;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An OCI image index or a Docker manifest list (the same shape): one manifest per platform. Also the
 * {@code index.json} of an OCI image layout, where the entries name images by annotation.
 *
 * @param schemaVersion must be 2
 * @param mediaType {@link MediaTypes#OCI_INDEX} or {@link MediaTypes#DOCKER_LIST}; may be absent in a layout
 * @param manifests the entries
 * @param annotations free-form
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageIndex(int schemaVersion, String mediaType, List<Descriptor> manifests,
                         Map<String, String> annotations) {

    public ImageIndex {
        manifests = ImageCollections.list(manifests);
        annotations = ImageCollections.map(annotations, null);
    }

    /** An OCI index of {@code manifests}. */
    public static ImageIndex of(List<Descriptor> manifests) {
        return new ImageIndex(2, MediaTypes.OCI_INDEX, manifests, null);
    }
}
