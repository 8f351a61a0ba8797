package jctr.kernel.oci;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Lifecycle hooks. Each runs with the container's state JSON on stdin.
 * {@code prestart} is deprecated by the spec but still run (after createRuntime's slot).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Hooks(
        List<Hook> prestart,
        List<Hook> createRuntime,
        List<Hook> createContainer,
        List<Hook> startContainer,
        List<Hook> poststart,
        List<Hook> poststop) {

    public Hooks {
        prestart = OciCollections.list(prestart);
        createRuntime = OciCollections.list(createRuntime);
        createContainer = OciCollections.list(createContainer);
        startContainer = OciCollections.list(startContainer);
        poststart = OciCollections.list(poststart);
        poststop = OciCollections.list(poststop);
    }
}
