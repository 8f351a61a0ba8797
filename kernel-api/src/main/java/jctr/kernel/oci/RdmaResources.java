package jctr.kernel.oci;

import com.fasterxml.jackson.annotation.JsonInclude;

/** RDMA limits for one device. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RdmaResources(Long hcaHandles, Long hcaObjects) {
}
