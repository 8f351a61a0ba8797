package jctr.kernel.image;

import java.util.HashSet;
import java.util.Set;

import jctr.kernel.state.ContainerRecord;
import jctr.kernel.state.StateStore;

/**
 * Who uses images: {@code image rm} refuses (without force) to delete an image a container uses, and
 * garbage collection keeps such images. The engine knows its containers; the image store does not.
 */
@FunctionalInterface
public interface ImageUsers {

    /** The container annotation that names the image (id, {@code sha256:...}) a container was made from. */
    String ANNOTATION = "jctr.image.id";

    /** Nobody uses any image (for tools that run without an engine). */
    ImageUsers NONE = Set::of;

    /** The ids ({@code sha256:...}) of every image some container uses. */
    Set<String> imageIdsInUse();

    /** The images named by the {@link #ANNOTATION} of the containers in {@code states}, read at each call. */
    static ImageUsers fromStateStore(StateStore states) {
        return () -> {
            Set<String> ids = new HashSet<>();
            for (ContainerRecord r : states.list()) {
                String id = r.annotations().get(ANNOTATION);
                if (id != null) {
                    ids.add(id);
                }
            }
            return ids;
        };
    }
}
