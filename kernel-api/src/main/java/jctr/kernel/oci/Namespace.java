package jctr.kernel.oci;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A namespace to create, or to join when {@code path} is set.
 *
 * @param type one of {@link NamespaceType}'s spec names: pid, network, mount, ipc, uts, user, cgroup, time
 * @param path a namespace file to setns() into, e.g. {@code /proc/1234/ns/net}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Namespace(String type, String path) {
}
