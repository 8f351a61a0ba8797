package jctr.kernel.oci;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An OCI runtime-spec {@code config.json} (version 1.x): what to run, on which root file system,
 * with which mounts, hooks and Linux isolation. Collections are never null (absent means empty);
 * a null record component means the document did not set it.
 *
 * <p>Unknown fields are ignored as the runtime spec requires ("MUST ignore unknown properties"),
 * and reported as warnings by {@link OciJson#readSpec}.
 *
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/config.md">config.md</a>
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Spec(
        String ociVersion,
        ProcessSpec process,
        Root root,
        String hostname,
        String domainname,
        List<Mount> mounts,
        Hooks hooks,
        Map<String, String> annotations,
        LinuxSpec linux) {

    public Spec {
        mounts = OciCollections.list(mounts);
        annotations = OciCollections.map(annotations);
    }

    /** A copy with another process, for exec and for the engine's overrides. */
    public Spec withProcess(ProcessSpec newProcess) {
        return new Spec(ociVersion, newProcess, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with another root. */
    public Spec withRoot(Root newRoot) {
        return new Spec(ociVersion, process, newRoot, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with other mounts. */
    public Spec withMounts(List<Mount> newMounts) {
        return new Spec(ociVersion, process, root, hostname, domainname, newMounts, hooks, annotations, linux);
    }

    /** A copy with another linux section. */
    public Spec withLinux(LinuxSpec newLinux) {
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, newLinux);
    }

    /** The linux section, or an empty one when absent. */
    public LinuxSpec linuxOrEmpty() {
        return linux != null ? linux : LinuxSpec.EMPTY;
    }
}
