package jctr.kernel.oci;

/** A per-device block I/O rate limit (bytes or operations per second). */
public record ThrottleDevice(long major, long minor, long rate) {
}
