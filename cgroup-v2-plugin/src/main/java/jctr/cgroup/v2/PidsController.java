package jctr.cgroup.v2;

import java.util.List;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.PidsResources;

import static jctr.cgroup.v2.Checks.invalid;

/** {@code linux.resources.pids.limit}: pids.max; 0 and -1 mean unlimited ({@code max}). */
final class PidsController implements Controller {

    @Override
    public List<Write> translate(LinuxResources resources, CgroupView current) {
        PidsResources p = resources.pids();
        if (p == null) {
            return List.of();
        }
        String field = Checks.RESOURCES + ".pids.limit";
        if (p.limit() < -1) {
            throw invalid(field, "must be -1 or 0 (unlimited) or a positive number, got " + p.limit());
        }
        return List.of(new Write("pids.max", p.limit() <= 0 ? "max" : Long.toString(p.limit()), field));
    }
}
