package jctr.kernel.oci;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry of {@code mounts}: mounted in order, after the root, before pivot_root.
 *
 * @param destination path inside the container
 * @param type file system type ({@code proc}, {@code tmpfs}, {@code bind}, ...); may be absent for bind mounts
 * @param source device, directory or pseudo name
 * @param options fstab-style options: flags ({@code ro}, {@code nosuid}, {@code rbind}, {@code rprivate}, ...)
 *                and data ({@code mode=755})
 * @param uidMappings id-mapped mount uid mappings (not supported by jctr yet)
 * @param gidMappings id-mapped mount gid mappings (not supported by jctr yet)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Mount(
        String destination,
        String type,
        String source,
        List<String> options,
        List<IdMapping> uidMappings,
        List<IdMapping> gidMappings) {

    public Mount {
        options = OciCollections.list(options);
        uidMappings = OciCollections.list(uidMappings);
        gidMappings = OciCollections.list(gidMappings);
    }

    /** A mount without id mappings. */
    public Mount(String destination, String type, String source, List<String> options) {
        this(destination, type, source, options, null, null);
    }

    /** Whether this is a bind mount (type {@code bind} or a {@code bind}/{@code rbind} option). */
    public boolean bindMount() {
        return "bind".equals(type) || options.contains("bind") || options.contains("rbind");
    }
}
