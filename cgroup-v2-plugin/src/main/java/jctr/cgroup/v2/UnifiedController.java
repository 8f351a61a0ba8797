package jctr.cgroup.v2;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import jctr.kernel.oci.LinuxResources;

import static jctr.cgroup.v2.Checks.invalid;

/**
 * {@code linux.resources.unified}: raw {@code file: value} pairs written as given, after every translated
 * setting (so they win over them, as in runc). Keys must name an interface file of the cgroup itself
 * ({@code CONTROLLER.PARAMETER}); the core files that move processes, change the tree or the freezer
 * state are refused, since the driver owns those.
 */
final class UnifiedController implements Controller {

    private static final Pattern KEY = Pattern.compile("[a-z0-9_]+\\.[A-Za-z0-9_.]+");
    /** The only writable core files a container may set: limits on its own subtree. */
    private static final Set<String> CORE_ALLOWED = Set.of("cgroup.max.depth", "cgroup.max.descendants");

    @Override
    public List<Write> translate(LinuxResources resources, CgroupView current) {
        List<Write> out = new ArrayList<>();
        for (Map.Entry<String, String> e : resources.unified().entrySet()) {
            String key = e.getKey();
            String f = Checks.RESOURCES + ".unified[\"" + key + "\"]";
            if (key.contains("/") || key.contains("..") || !KEY.matcher(key).matches()) {
                throw invalid(f, "must be an interface file name of the form CONTROLLER.PARAMETER, "
                        + "without '/' or '..': \"" + key + "\"");
            }
            if (key.startsWith("cgroup.") && !CORE_ALLOWED.contains(key)) {
                throw invalid(f, key + " is managed by the driver; of the core files only "
                        + String.join(" and ", CORE_ALLOWED.stream().sorted().toList()) + " may be set");
            }
            out.add(new Write(key, e.getValue(), f));
        }
        return out;
    }
}
