package jctr.cgroup.v1;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.spi.CgroupHandle;

/**
 * One container cgroup: its path and its directory in each hierarchy, by controller (co-mounted
 * controllers such as {@code cpu,cpuacct} share a directory). This is what the {@link CgroupHandle}
 * carries, so the driver finds the cgroup again without any memory of having made it.
 *
 * @param path relative to the hierarchy roots, without leading slash, e.g. {@code jctr/abc}
 */
record CgroupDirs(String path, Map<String, Path> byController) {

    static final String DRIVER = "cgroup-v1";
    private static final String KEY_PREFIX = "dir.";

    CgroupDirs {
        byController = Map.copyOf(byController);
    }

    /** The directories of {@code path} in each of the hierarchies. */
    static CgroupDirs under(String path, Map<String, Path> mountByController) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        mountByController.forEach((controller, mount) -> dirs.put(controller, mount.resolve(path)));
        return new CgroupDirs(path, dirs);
    }

    /**
     * Reads a handle this driver returned. Refuses one whose directories do not end in its path, or whose
     * path is empty: acting on such a handle could freeze, kill or remove a cgroup that is not the container's.
     */
    static CgroupDirs of(CgroupHandle handle) {
        if (!DRIVER.equals(handle.driver())) {
            throw new InvalidConfigException("", "cgroup handle", "made by driver \"" + handle.driver()
                    + "\", not " + DRIVER);
        }
        String path = CgroupPath.normalize(handle.path() == null ? "" : handle.path(), "cgroup handle path");
        if (path.isEmpty()) {
            throw new InvalidConfigException("", "cgroup handle path", "names a hierarchy root: " + handle.path());
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        handle.driverState().forEach((key, value) -> {
            if (key.startsWith(KEY_PREFIX)) {
                Path dir = Path.of(value);
                if (!dir.isAbsolute() || !dir.normalize().equals(dir) || !dir.endsWith(path)) {
                    throw new InvalidConfigException("", "cgroup handle driverState." + key,
                            "is not the directory of " + path + ": " + value);
                }
                dirs.put(key.substring(KEY_PREFIX.length()), dir);
            }
        });
        if (dirs.isEmpty()) {
            throw new InvalidConfigException("", "cgroup handle driverState", "names no hierarchy directory");
        }
        return new CgroupDirs(path, dirs);
    }

    /** The handle for this cgroup: one cgroup.procs file per hierarchy, no CLONE_INTO_CGROUP directory. */
    CgroupHandle toHandle() {
        Map<String, String> state = new LinkedHashMap<>();
        byController.forEach((c, dir) -> state.put(KEY_PREFIX + c, dir.toString()));
        List<String> procs = distinct().stream().map(d -> d.resolve("cgroup.procs").toString()).toList();
        return new CgroupHandle(DRIVER, "/" + path, null, procs, state);
    }

    Optional<Path> dir(String controller) {
        return Optional.ofNullable(byController.get(controller));
    }

    /** Each hierarchy's directory once, in a stable order. */
    List<Path> distinct() {
        return new ArrayList<>(new LinkedHashSet<>(sorted().values()));
    }

    /** The directories that exist now. */
    List<Path> existing() {
        return distinct().stream().filter(Files::isDirectory).toList();
    }

    private Map<String, Path> sorted() {
        Map<String, Path> out = new LinkedHashMap<>();
        byController.keySet().stream().sorted().forEach(k -> out.put(k, byController.get(k)));
        return out;
    }
}
