package jctr.kernel.oci;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A device node to create in the container's /dev.
 *
 * @param type {@code c}, {@code b}, {@code u} or {@code p}
 * @param fileMode permission bits (null = 0666)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Device(String type, String path, long major, long minor, Integer fileMode, Long uid, Long gid) {
}
