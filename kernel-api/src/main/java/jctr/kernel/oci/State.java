package jctr.kernel.oci;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The OCI state of a container, as {@code state ID} prints it and as hooks receive it on stdin.
 *
 * @param status {@code creating}, {@code created}, {@code running}, {@code paused} or {@code stopped}
 * @param pid the init process's pid in the runtime's pid namespace; 0 when stopped
 * @param bundle absolute path of the bundle directory
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record State(String ociVersion, String id, String status, int pid, String bundle,
                    Map<String, String> annotations) {
    public State {
        annotations = OciCollections.map(annotations);
    }
}
