package jctr.kernel.oci;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Memory settings in bytes; -1 means unlimited.
 *
 * @param swap memory+swap limit (v1 semantics, as in the spec)
 * @param kernel deprecated kernel memory limit (ignored by modern kernels)
 * @param swappiness 0..100
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MemoryResources(
        Long limit,
        Long reservation,
        Long swap,
        Long kernel,
        Long kernelTCP,
        Long swappiness,
        Boolean disableOOMKiller,
        Boolean useHierarchy,
        Boolean checkBeforeUpdate) {
}
