package jctr.kernel.lifecycle;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The OCI container states (plus {@code paused}, which runc and Docker add through the freezer). */
public enum ContainerStatus {
    /** The runtime is creating the container: namespaces, cgroup, mounts. */
    CREATING,
    /** Created; the user program has not started (waiting for {@code start}). */
    CREATED,
    /** The user program runs. */
    RUNNING,
    /** Frozen by the resource driver's freezer. */
    PAUSED,
    /** The container's process has exited (or never ran); the container remains until deleted. */
    STOPPED;

    /** The lowercase name used in OCI state JSON. */
    @JsonValue
    public String ociName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses an OCI state name. */
    @JsonCreator
    public static ContainerStatus fromOciName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
