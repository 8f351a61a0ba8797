package jctr.cgroup.v1;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.RdmaResources;

/** {@code rdma}: per-device limits on HCA handles and objects, one {@code rdma.max} line per device. */
final class RdmaController implements Controller {

    static final String FIELD = "linux.resources.rdma";

    @Override
    public String name() {
        return "rdma";
    }

    @Override
    public Optional<String> requestedField(LinuxResources resources) {
        return resources.rdma().isEmpty() ? Optional.empty() : Optional.of(FIELD);
    }

    @Override
    public void validate(LinuxResources resources) {
        for (Map.Entry<String, RdmaResources> e : resources.rdma().entrySet()) {
            String f = FIELD + "." + e.getKey();
            Checks.word(f, e.getKey());
            Checks.notNegative(f + ".hcaHandles", e.getValue().hcaHandles());
            Checks.notNegative(f + ".hcaObjects", e.getValue().hcaObjects());
        }
    }

    @Override
    public void apply(Path dir, LinuxResources resources) {
        for (Map.Entry<String, RdmaResources> e : resources.rdma().entrySet()) {
            line(e.getKey(), e.getValue()).ifPresent(line ->
                    CgroupFiles.write(dir.resolve("rdma.max"), line, FIELD + "." + e.getKey()));
        }
    }

    /** {@code mlx5_0 hca_handle=2 hca_object=2000}, with only the limits that are set; empty if none is. */
    static Optional<String> line(String device, RdmaResources r) {
        StringBuilder sb = new StringBuilder(device);
        if (r.hcaHandles() != null) {
            sb.append(" hca_handle=").append(r.hcaHandles());
        }
        if (r.hcaObjects() != null) {
            sb.append(" hca_object=").append(r.hcaObjects());
        }
        return sb.length() == device.length() ? Optional.empty() : Optional.of(sb.toString());
    }

}
