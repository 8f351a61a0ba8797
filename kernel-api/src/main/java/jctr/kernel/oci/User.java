package jctr.kernel.oci;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The user a process runs as.
 *
 * @param uid user id in the container's user namespace
 * @param gid group id
 * @param umask umask; null leaves the default (0022)
 * @param additionalGids supplementary group ids
 * @param username informational only on Linux
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record User(long uid, long gid, Integer umask, List<Long> additionalGids, String username) {
    public User {
        additionalGids = OciCollections.list(additionalGids);
    }
}
