package jctr.kernel.oci;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The {@code linux} object: namespaces, id mappings, cgroup resources, devices, seccomp and the
 * paths to mask or make read-only.
 *
 * @param cgroupsPath where the container's cgroup lives; interpreted by the resource driver
 * @param rootfsPropagation propagation of the root mount: shared, slave, private, unbindable (+ r-forms)
 * @param timeOffsets offsets for a time namespace, keyed {@code monotonic} and {@code boottime}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
// The runtime-spec's own field order, so that written configs read like runc's.
@JsonPropertyOrder({"uidMappings", "gidMappings", "sysctl", "resources", "cgroupsPath", "namespaces", "devices",
    "seccomp", "rootfsPropagation", "maskedPaths", "readonlyPaths", "mountLabel", "timeOffsets"})
public record LinuxSpec(
        List<Namespace> namespaces,
        List<IdMapping> uidMappings,
        List<IdMapping> gidMappings,
        Map<String, String> sysctl,
        LinuxResources resources,
        String cgroupsPath,
        Seccomp seccomp,
        String rootfsPropagation,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        String mountLabel,
        List<Device> devices,
        Map<String, TimeOffset> timeOffsets) {

    /** A linux section with nothing set. */
    public static final LinuxSpec EMPTY =
            new LinuxSpec(null, null, null, null, null, null, null, null, null, null, null, null, null);

    public LinuxSpec {
        namespaces = OciCollections.list(namespaces);
        uidMappings = OciCollections.list(uidMappings);
        gidMappings = OciCollections.list(gidMappings);
        sysctl = OciCollections.map(sysctl);
        maskedPaths = OciCollections.list(maskedPaths);
        readonlyPaths = OciCollections.list(readonlyPaths);
        devices = OciCollections.list(devices);
        timeOffsets = OciCollections.map(timeOffsets);
    }

    /** The resources section, or an empty one. */
    public LinuxResources resourcesOrEmpty() {
        return resources != null ? resources : LinuxResources.EMPTY;
    }

    /** A copy with other resources. */
    public LinuxSpec withResources(LinuxResources newResources) {
        return new LinuxSpec(namespaces, uidMappings, gidMappings, sysctl, newResources, cgroupsPath, seccomp,
                rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, devices, timeOffsets);
    }

    /** A copy with other namespaces. */
    public LinuxSpec withNamespaces(List<Namespace> newNamespaces) {
        return new LinuxSpec(newNamespaces, uidMappings, gidMappings, sysctl, resources, cgroupsPath, seccomp,
                rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, devices, timeOffsets);
    }

    /** A copy with another cgroups path. */
    public LinuxSpec withCgroupsPath(String newPath) {
        return new LinuxSpec(namespaces, uidMappings, gidMappings, sysctl, resources, newPath, seccomp,
                rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, devices, timeOffsets);
    }

    /** A copy with another seccomp profile (null for none). */
    public LinuxSpec withSeccomp(Seccomp newSeccomp) {
        return new LinuxSpec(namespaces, uidMappings, gidMappings, sysctl, resources, cgroupsPath, newSeccomp,
                rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, devices, timeOffsets);
    }
}
