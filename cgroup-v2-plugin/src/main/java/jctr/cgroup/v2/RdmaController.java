package jctr.cgroup.v2;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.RdmaResources;

import static jctr.cgroup.v2.Checks.invalid;

/** {@code linux.resources.rdma}: one rdma.max line per device with hca_handle and hca_object limits. */
final class RdmaController implements Controller {

    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    @Override
    public List<Write> translate(LinuxResources resources, CgroupView current) {
        List<Write> out = new ArrayList<>();
        for (Map.Entry<String, RdmaResources> e : resources.rdma().entrySet()) {
            String f = Checks.RESOURCES + ".rdma[\"" + e.getKey() + "\"]";
            if (!DEVICE.matcher(e.getKey()).matches()) {
                throw invalid(f, "not an RDMA device name: \"" + e.getKey() + "\"");
            }
            StringBuilder line = new StringBuilder(e.getKey());
            append(line, f + ".hcaHandles", "hca_handle", e.getValue().hcaHandles());
            append(line, f + ".hcaObjects", "hca_object", e.getValue().hcaObjects());
            if (line.length() > e.getKey().length()) {
                out.add(new Write("rdma.max", line.toString(), f));
            }
        }
        return out;
    }

    private static void append(StringBuilder line, String field, String key, Long value) {
        if (value == null) {
            return;
        }
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw invalid(field, "must be 0.." + Integer.MAX_VALUE + ", got " + value);
        }
        line.append(' ').append(key).append('=').append(value);
    }
}
