package jctr.cgroup.v2;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.LinuxResources;

import static jctr.cgroup.v2.Checks.invalid;

/** {@code linux.resources.cpu.cpus} and {@code .mems}: cpuset.cpus and cpuset.mems, list syntax checked here. */
final class CpusetController implements Controller {

    private static final Pattern RANGE = Pattern.compile("(\\d{1,5})(?:-(\\d{1,5}))?");

    @Override
    public List<Write> translate(LinuxResources resources, CgroupView current) {
        CpuResources c = resources.cpu();
        if (c == null) {
            return List.of();
        }
        List<Write> out = new ArrayList<>();
        String f = Checks.RESOURCES + ".cpu.";
        if (c.cpus() != null && !c.cpus().isEmpty()) {
            out.add(new Write("cpuset.cpus", checkList(f + "cpus", c.cpus()), f + "cpus"));
        }
        if (c.mems() != null && !c.mems().isEmpty()) {
            out.add(new Write("cpuset.mems", checkList(f + "mems", c.mems()), f + "mems"));
        }
        return out;
    }

    /** Checks the kernel's list format: comma-separated numbers and ascending ranges, e.g. {@code 0-3,8}. */
    static String checkList(String field, String list) {
        for (String part : list.split(",", -1)) {
            Matcher m = RANGE.matcher(part.trim());
            if (!m.matches()) {
                throw invalid(field, "must be a list like 0-3,8: \"" + list + "\" has \"" + part + "\"");
            }
            if (m.group(2) != null && Integer.parseInt(m.group(2)) < Integer.parseInt(m.group(1))) {
                throw invalid(field, "range " + part + " in \"" + list + "\" is descending");
            }
        }
        return list.replace(" ", "");
    }
}
