package jctr.cgroup.v2;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import jctr.kernel.oci.HugepageLimit;
import jctr.kernel.oci.LinuxResources;

import static jctr.cgroup.v2.Checks.invalid;

/**
 * {@code linux.resources.hugepageLimits}: hugetlb.SIZE.max, and hugetlb.SIZE.rsvd.max where the kernel has
 * reservation accounting (as runc does, so that reserved but untouched pages count too).
 */
final class HugetlbController implements Controller {

    private static final Pattern PAGE_SIZE = Pattern.compile("[1-9][0-9]*[KMG]B");

    @Override
    public List<Write> translate(LinuxResources resources, CgroupView current) {
        List<Write> out = new ArrayList<>();
        for (int i = 0; i < resources.hugepageLimits().size(); i++) {
            HugepageLimit h = resources.hugepageLimits().get(i);
            String f = Checks.RESOURCES + ".hugepageLimits[" + i + "]";
            if (h.pageSize() == null || !PAGE_SIZE.matcher(h.pageSize()).matches()) {
                throw invalid(f + ".pageSize", "must be a size like 2MB or 1GB, got " + h.pageSize());
            }
            if (h.limit() < -1) {
                throw invalid(f + ".limit", "must be -1 (unlimited) or a number of bytes, got " + h.limit());
            }
            String value = h.limit() == -1 ? "max" : Long.toString(h.limit());
            out.add(new Write("hugetlb." + h.pageSize() + ".max", value, f + ".limit"));
            if (current.read("hugetlb." + h.pageSize() + ".rsvd.max").isPresent()) {
                out.add(new Write("hugetlb." + h.pageSize() + ".rsvd.max", value, f + ".limit"));
            }
        }
        return out;
    }
}
