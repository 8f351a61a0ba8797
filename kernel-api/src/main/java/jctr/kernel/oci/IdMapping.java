package jctr.kernel.oci;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A uid or gid range mapping of a user namespace: {@code size} ids from {@code containerID} to {@code hostID}. */
public record IdMapping(
        @JsonProperty("containerID") long containerId,
        @JsonProperty("hostID") long hostId,
        long size) {
}
