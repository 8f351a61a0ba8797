package jctr.kernel.oci;

/** The maximum number of tasks; 0 or -1 means unlimited. */
public record PidsResources(long limit) {
}
