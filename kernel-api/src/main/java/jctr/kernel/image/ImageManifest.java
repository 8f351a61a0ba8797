package jctr.kernel.image;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A single-platform image manifest: an OCI image manifest or a Docker schema 2 manifest (the same
 * shape): the config blob and the layers, bottom first.
 *
 * @param schemaVersion must be 2
 * @param mediaType {@link MediaTypes#OCI_MANIFEST} or {@link MediaTypes#DOCKER_MANIFEST}; may be absent for OCI
 * @param config the image config's descriptor; its digest is the image id
 * @param layers layer blobs, bottom first
 * @param annotations free-form
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageManifest(int schemaVersion, String mediaType, Descriptor config, List<Descriptor> layers,
                            Map<String, String> annotations) {

    public ImageManifest {
        layers = ImageCollections.list(layers);
        annotations = ImageCollections.map(annotations, null);
    }
}
