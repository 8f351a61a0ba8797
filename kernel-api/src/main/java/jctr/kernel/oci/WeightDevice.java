package jctr.kernel.oci;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A per-device block I/O weight. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WeightDevice(long major, long minor, Integer weight, Integer leafWeight) {
}
