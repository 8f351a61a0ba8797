package jctr.kernel.oci;

/** A net_prio priority for one interface. */
public record NetworkPriority(String name, int priority) {
}
