package jctr.kernel.image;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * An image config (OCI {@code application/vnd.oci.image.config.v1+json}, Docker
 * {@code application/vnd.docker.container.image.v1+json}): the platform, the defaults for running a
 * container, the layers' uncompressed digests, and the history. Fields jctr does not use are ignored.
 *
 * @param created when the image was built, RFC 3339 (kept as written; see {@link #createdInstant()})
 * @param author free-form
 * @param architecture CPU architecture, e.g. {@code amd64}
 * @param os e.g. {@code linux}
 * @param variant CPU variant
 * @param config the defaults for a container; may be absent
 * @param rootfs the layers' diff ids, bottom first
 * @param history one entry per build step, including steps that made no layer
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageConfig(String created, String author, String architecture, String os, String variant,
                          ContainerConfig config, RootFs rootfs, List<History> history) {

    public ImageConfig {
        history = ImageCollections.list(history);
    }

    /** The container defaults, or an empty set of them. */
    public ContainerConfig configOrEmpty() {
        return config != null ? config : ContainerConfig.EMPTY;
    }

    /** The diff ids (digests of the uncompressed layer tars), bottom first. */
    public List<Digest> diffIds() {
        return rootfs == null ? List.of() : rootfs.diffIds();
    }

    /** The creation time, if written and valid. */
    public Optional<Instant> createdInstant() {
        if (created == null || created.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(created).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The platform the config says the image is for. */
    public Platform platform() {
        return new Platform(architecture, os, null, null, variant);
    }

    /**
     * The defaults for running a container (Docker's capitalized field names).
     *
     * @param user {@code user}, {@code uid}, {@code user:group} or {@code uid:gid}; empty means root
     * @param exposedPorts keys like {@code 80/tcp} (values are empty objects; a null one is taken as such)
     * @param env {@code KEY=value}
     * @param entrypoint the executable and its fixed arguments
     * @param cmd default arguments (or the command when there is no entrypoint)
     * @param volumes keys are mount points
     * @param workingDir absolute; empty means {@code /}
     * @param labels free-form metadata
     * @param stopSignal e.g. {@code SIGTERM}
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record ContainerConfig(
            @JsonProperty("User") String user,
            @JsonProperty("ExposedPorts") @JsonSetter(contentNulls = Nulls.SET) Map<String, Object> exposedPorts,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("Volumes") @JsonSetter(contentNulls = Nulls.SET) Map<String, Object> volumes,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("StopSignal") String stopSignal) {

        /** A config that sets nothing. */
        public static final ContainerConfig EMPTY = new ContainerConfig(null, null, null, null, null, null, null, null, null);

        public ContainerConfig {
            exposedPorts = ImageCollections.map(exposedPorts, Map.of());
            env = ImageCollections.list(env);
            entrypoint = ImageCollections.list(entrypoint);
            cmd = ImageCollections.list(cmd);
            volumes = ImageCollections.map(volumes, Map.of());
            labels = ImageCollections.map(labels, "");
        }
    }

    /**
     * @param type always {@code layers}
     * @param diffIds digests of the uncompressed layer tars, bottom first
     */
    public record RootFs(String type, @JsonProperty("diff_ids") List<Digest> diffIds) {
        public RootFs {
            diffIds = ImageCollections.list(diffIds);
        }
    }

    /**
     * One build step.
     *
     * @param emptyLayer true when the step made no layer (such steps have no diff id)
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record History(String created, @JsonProperty("created_by") String createdBy, String author,
                          String comment, @JsonProperty("empty_layer") Boolean emptyLayer) {
    }
}
