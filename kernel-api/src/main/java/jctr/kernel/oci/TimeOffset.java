package jctr.kernel.oci;

/** An offset of a clock in a time namespace. */
public record TimeOffset(long secs, long nanosecs) {
}
