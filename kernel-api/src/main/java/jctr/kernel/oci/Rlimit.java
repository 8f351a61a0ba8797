package jctr.kernel.oci;

/**
 * One setrlimit(2) call.
 *
 * @param type {@code RLIMIT_NOFILE} and so on; see {@link RlimitType}
 */
public record Rlimit(String type, long hard, long soft) {
}
