package jctr.cgroup.v1;

import java.util.ArrayList;
import java.util.List;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.state.ContainerIds;

/**
 * Where a container's cgroup goes below each hierarchy root: {@code linux.cgroupsPath} when absolute,
 * {@code <parent>/<cgroupsPath>} when relative, {@code <parent>/<containerId>} when absent.
 */
final class CgroupPath {

    static final String FIELD = "linux.cgroupsPath";
    static final String DEFAULT_PARENT = "jctr";

    private CgroupPath() {
    }

    /**
     * The cgroup's path relative to a hierarchy root, without leading slash, e.g. {@code jctr/abc}.
     *
     * @param parent the driver's parent for relative and default paths, e.g. {@code jctr} or {@code jctr-test/x1}
     * @throws InvalidConfigException for {@code .}/{@code ..} components or a path that names the root
     */
    static String resolve(String containerId, String cgroupsPath, String parent) {
        if (cgroupsPath == null || cgroupsPath.isEmpty()) {
            return join(normalize(parent, "driver option parent"), ContainerIds.check(containerId));
        }
        String normalized = normalize(cgroupsPath, FIELD);
        if (cgroupsPath.startsWith("/")) {
            if (normalized.isEmpty()) {
                throw new InvalidConfigException("", FIELD, "must name a cgroup below the hierarchy root, got \""
                        + cgroupsPath + "\"");
            }
            return normalized;
        }
        return join(normalize(parent, "driver option parent"), normalized);
    }

    /** Drops empty components; refuses {@code .} and {@code ..} (a path must not climb out of its parent). */
    static String normalize(String path, String field) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals(".") || p.equals("..")) {
                throw new InvalidConfigException("", field, "must not contain . or .. components, got \"" + path + "\"");
            }
            if (p.indexOf('\0') >= 0 || p.indexOf('\n') >= 0) {
                throw new InvalidConfigException("", field, "must not contain NUL or newline characters");
            }
            parts.add(p);
        }
        return String.join("/", parts);
    }

    private static String join(String parent, String child) {
        return parent.isEmpty() ? child : parent + "/" + child;
    }
}
