package jctr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command lines of the runtimes jctr is compared with, and of jctr's own CLI, each run as a subprocess
 * on a bundle: {@code runc run}, {@code crun run}, {@code bin/jctr-runc run}, and the floor
 * ({@code unshare} of the same namespaces running {@code true}, no rootfs, no cgroup).
 */
final class Peers {

    /** The mount that hides the cgroup2 hierarchy from crun (see {@link #crun}). */
    private static final String HIDE_CGROUP2 = "mount -t tmpfs jctr-bench-hide-cgroup2 /sys/fs/cgroup/unified";

    private Peers() {
    }

    /** The jctr checkout: {@code -Djctr.bench.root}, else the first parent of the working directory with bin/jctr-runc. */
    static Path projectRoot() {
        String given = System.getProperty("jctr.bench.root");
        if (given != null) {
            return Path.of(given);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("bin/jctr-runc"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find bin/jctr-runc: run from the jctr checkout or set -Djctr.bench.root");
    }

    /** {@code runc --root stateRoot run --bundle bundle id}. */
    static List<String> runc(Path stateRoot, Path bundle, String id) {
        return List.of("runc", "--root", stateRoot.toString(), "run", "--bundle", bundle.toString(), id);
    }

    /**
     * {@code crun run}. crun 1.8 refuses hybrid cgroup hosts whose cgroup2 hierarchy has controllers ("cgroups
     * in hybrid mode not supported, drop all controllers from cgroupv2"), whatever its --cgroup-manager. On such
     * a host (this one: hugetlb on /sys/fs/cgroup/unified) it runs in a private mount namespace in which a tmpfs
     * hides /sys/fs/cgroup/unified, so it sees a legacy (v1) host and uses the v1 hierarchies like runc; that
     * wrapper's own cost is {@link #crunWrapper}, measured as a benchmark of its own.
     */
    static List<String> crun(Path stateRoot, Path bundle, String id) {
        List<String> crun = List.of("crun", "--root", stateRoot.toString(), "run", "--bundle", bundle.toString(), id);
        return hybridWithControllers() ? wrapped(String.join(" ", crun)) : crun;
    }

    /** The crun wrapper running {@code true} instead of crun (its cost, included in the crun figures). */
    static List<String> crunWrapper() {
        return wrapped("/bin/true");
    }

    private static List<String> wrapped(String command) {
        return List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", HIDE_CGROUP2 + " && exec " + command);
    }

    /** Whether crun needs {@link #crun}'s wrapper here. */
    static boolean hybridWithControllers() {
        Path controllers = Path.of("/sys/fs/cgroup/unified/cgroup.controllers");
        try {
            return Files.isRegularFile(controllers) && !Files.readString(controllers).isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code bin/jctr-runc --root stateRoot run --bundle bundle id}, with or without the AOT cache. */
    static ProcessBuilder jctrRunc(Path stateRoot, Path bundle, String id, boolean aot) {
        List<String> cmd = new ArrayList<>(List.of(projectRoot().resolve("bin/jctr-runc").toString(), "--root",
                stateRoot.toString(), "run", "--bundle", bundle.toString(), id));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // The drivers are auto-detected, as a user's would be: no JCTR_* variable of the caller interferes.
        pb.environment().keySet().removeIf(k -> k.startsWith("JCTR_"));
        if (!aot) {
            pb.environment().put("JCTR_AOT_CACHE", "none");
        }
        return pb;
    }

    /** The floor: the namespaces of a container, no rootfs, no cgroup, no pivot_root. */
    static List<String> unshareFloor() {
        return List.of("unshare", "--fork", "--pid", "--mount", "--uts", "--ipc", "--net", "--cgroup", "/bin/true");
    }

    /** Whether the AOT cache the build trains exists. */
    static boolean aotCacheBuilt() {
        return Files.isRegularFile(projectRoot().resolve("mgmt/target/dist/jctr.aot"));
    }
}
