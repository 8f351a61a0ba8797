package jctr.kernel.oci;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code linux.resources}: the cgroup settings a resource driver applies. A null member means "not set":
 * the driver leaves the kernel's default (or, on update, the current value).
 *
 * @param devices device access rules, applied in order, later rules winning
 * @param unified raw cgroup v2 {@code file: value} pairs
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record LinuxResources(
        List<DeviceRule> devices,
        MemoryResources memory,
        CpuResources cpu,
        PidsResources pids,
        BlockIoResources blockIO,
        List<HugepageLimit> hugepageLimits,
        NetworkResources network,
        Map<String, RdmaResources> rdma,
        Map<String, String> unified) {

    /** No resources set. */
    public static final LinuxResources EMPTY = new LinuxResources(null, null, null, null, null, null, null, null, null);

    public LinuxResources {
        devices = OciCollections.list(devices);
        hugepageLimits = OciCollections.list(hugepageLimits);
        rdma = OciCollections.map(rdma);
        unified = OciCollections.map(unified);
    }
}
