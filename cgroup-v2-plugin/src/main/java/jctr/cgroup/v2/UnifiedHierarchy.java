package jctr.cgroup.v2;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import jctr.kernel.AlreadyExistsException;
import jctr.kernel.InvalidConfigException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ResourceEventListener;
import jctr.kernel.spi.ResourceStats;
import jctr.kernel.spi.Subscription;
import jctr.kernel.state.ContainerIds;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.Processes;
import jctr.kernel.sys.Signals;
import jctr.kernel.sys.SyscallException;

/**
 * The cgroup v2 work of the driver, on a hierarchy whose root directory is given (the real cgroup2 mount,
 * or a fake tree in tests). Keeps no state besides its configuration: every operation starts from the
 * {@link CgroupHandle}.
 *
 * <h2>Controllers in parents</h2>
 * A cgroup gets a controller's files only if its parent lists the controller in cgroup.subtree_control.
 * Parents jctr owns (the configured parent, anything under it, and anything created by this driver) get
 * {@link #STANDARD_CONTROLLERS} (as far as available) plus whatever the resources need; the hierarchy root
 * gets only what the resources need; other existing cgroups are never changed, and a controller they do
 * not pass down is an error.
 */
final class UnifiedHierarchy {

    static final String DRIVER = "cgroup-v2";
    static final String STATE_ROOT = "root";
    /** Enabled in the parents jctr owns so that stats and later updates find their files. */
    static final List<String> STANDARD_CONTROLLERS = List.of("cpu", "cpuset", "io", "memory", "pids", "hugetlb");

    private static final Duration FREEZE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration EMPTY_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RMDIR_TIMEOUT = Duration.ofSeconds(5);

    private final Path root;
    private final String parent;
    private final List<Controller> controllers;

    /**
     * @param root the cgroup2 mount point
     * @param parent where containers go by default, relative to the root, e.g. {@code /jctr}
     * @param globalSwappiness the host's vm.swappiness
     */
    UnifiedHierarchy(Path root, String parent, Supplier<OptionalInt> globalSwappiness) {
        this.root = root.toAbsolutePath().normalize();
        this.parent = normalize("parent", parent);
        // Order matters: unified last, so raw values win over translated ones.
        this.controllers = List.of(new NetworkController(), new CpusetController(), new CpuController(),
                new MemoryController(globalSwappiness), new PidsController(), new IoController(),
                new HugetlbController(), new RdmaController(), new UnifiedController());
    }

    /** The cgroup path for a container: the default under the parent, or cgroupsPath (absolute or under the parent). */
    String pathFor(String containerId, String cgroupsPath) {
        if (cgroupsPath == null || cgroupsPath.isEmpty()) {
            return normalize("container id", parent + "/" + ContainerIds.check(containerId));
        }
        String joined = cgroupsPath.startsWith("/") ? cgroupsPath : parent + "/" + cgroupsPath;
        return normalize("linux.cgroupsPath", joined);
    }

    /** Validates and translates resources into writes without touching anything. */
    List<Write> translate(LinuxResources resources, CgroupView current) {
        List<Write> writes = new ArrayList<>();
        for (Controller c : controllers) {
            writes.addAll(c.translate(resources, current));
        }
        return writes;
    }

    CgroupHandle create(String containerId, String cgroupsPath, LinuxResources resources) {
        String path = pathFor(containerId, cgroupsPath);
        LinuxResources r = resources == null ? LinuxResources.EMPTY : resources;
        List<Write> planned = translate(r, CgroupView.NONE);
        List<DeviceFilter.Rule> deviceRules = DeviceFilter.rules(r.devices());
        CgroupDir dir = dir(path);
        boolean createdTarget = false;
        // A concurrent delete may remove the empty default parent between the two steps: start over then.
        for (int attempt = 1; ; attempt++) {
            prepareAncestors(path, controllersOf(planned));
            if (dir.exists()) {
                if (dir.populated() || !dir.procs().isEmpty()) {
                    throw new AlreadyExistsException("cgroup " + path + " exists and has processes " + dir.procs());
                }
                break;
            }
            try {
                Files.createDirectory(dir.path());
                createdTarget = true;
                break;
            } catch (FileAlreadyExistsException e) {
                continue;
            } catch (NoSuchFileException e) {
                if (attempt == 3) {
                    throw new KernelException(KernelException.Category.INTERNAL, "cannot create cgroup " + path
                            + ": its parent kept disappearing", e);
                }
            } catch (IOException e) {
                throw new KernelException(KernelException.Category.FAILED_PRECONDITION, "cannot create cgroup " + path
                        + ": " + reason(e), e);
            }
        }
        try {
            // Translated again now that the directory exists: some choices depend on its files (io.bfq.weight).
            apply(dir, translate(r, dir), deviceRules);
        } catch (RuntimeException e) {
            if (createdTarget) {
                try {
                    removeTree(dir);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        return new CgroupHandle(DRIVER, path, dir.path().toString(), List.of(dir.path().resolve("cgroup.procs").toString()),
                Map.of(STATE_ROOT, root.toString()));
    }

    void update(CgroupHandle handle, LinuxResources resources) {
        CgroupDir dir = existing(handle);
        LinuxResources r = resources == null ? LinuxResources.EMPTY : resources;
        List<Write> planned = translate(r, dir);
        List<DeviceFilter.Rule> deviceRules = DeviceFilter.rules(r.devices());
        prepareAncestors(dir.cgroupPath(), controllersOf(planned));
        apply(dir, planned, deviceRules);
    }

    ResourceStats stats(CgroupHandle handle) {
        return StatsReader.read(existing(handle));
    }

    void freeze(CgroupHandle handle) {
        CgroupDir dir = existing(handle);
        dir.writeCore("cgroup.freeze", "1");
        if (!awaitFrozen(dir, true, FREEZE_TIMEOUT)) {
            dir.writeCore("cgroup.freeze", "0");
            throw new KernelException(KernelException.Category.TIMEOUT, "cgroup " + dir.cgroupPath()
                    + " did not finish freezing within " + FREEZE_TIMEOUT.toSeconds() + " s; thawed it again");
        }
    }

    void thaw(CgroupHandle handle) {
        CgroupDir dir = existing(handle);
        dir.writeCore("cgroup.freeze", "0");
        if (!awaitFrozen(dir, false, FREEZE_TIMEOUT)) {
            throw new KernelException(KernelException.Category.TIMEOUT, "cgroup " + dir.cgroupPath()
                    + " still reports frozen " + FREEZE_TIMEOUT.toSeconds() + " s after thawing");
        }
    }

    List<Integer> pids(CgroupHandle handle) {
        CgroupDir dir = existing(handle);
        Set<Integer> pids = new TreeSet<>();
        collectPids(dir, pids);
        return List.copyOf(pids);
    }

    void delete(CgroupHandle handle) {
        String path = checkHandle(handle);
        CgroupDir dir = dir(path);
        if (dir.exists()) {
            EventWatcher.flush(dir.path());
            removeTree(dir);
        }
        removeDefaultParentIfEmpty(path);
    }

    /**
     * The default parent is jctr's own: once its last container is gone it is removed too, so that jctr leaves
     * nothing behind. A configured parent belongs to the operator and stays.
     */
    private void removeDefaultParentIfEmpty(String path) {
        int slash = path.lastIndexOf('/');
        if (slash <= 0 || !path.substring(0, slash).equals(CgroupV2Driver.DEFAULT_PARENT)) {
            return;
        }
        try {
            dir(CgroupV2Driver.DEFAULT_PARENT).remove();
        } catch (SyscallException e) {
            // EBUSY/ENOTEMPTY: other containers still live there; ENOENT: already gone.
            if (!e.is(Errno.EBUSY) && !e.is(Errno.ENOTEMPTY) && !e.is(Errno.ENOENT)) {
                throw e;
            }
        }
    }

    Subscription watch(CgroupHandle handle, ResourceEventListener listener) {
        return EventWatcher.start(existing(handle), listener);
    }

    /** Writes every translated setting in order, then attaches the device program. */
    private static void apply(CgroupDir dir, List<Write> writes, List<DeviceFilter.Rule> deviceRules) {
        for (Write w : writes) {
            dir.write(w);
        }
        if (!deviceRules.isEmpty()) {
            DeviceFilter.attach(dir.path(), deviceRules);
        }
    }

    /** Creates the missing ancestors of {@code path} and enables controllers down to its parent. */
    private void prepareAncestors(String path, Map<String, String> needed) {
        Set<Path> created = new HashSet<>();
        List<String> segments = Arrays.asList(path.substring(1).split("/"));
        String current = "";
        CgroupDir dir = new CgroupDir(root, "/");
        for (int i = 0; i < segments.size(); i++) {
            boolean isRoot = i == 0;
            boolean owned = !isRoot && (created.contains(dir.path()) || isOwned(current));
            enableControllers(dir, isRoot, owned, needed);
            current = current + "/" + segments.get(i);
            CgroupDir child = dir(current);
            if (i < segments.size() - 1 && !child.exists()) {
                mkdir(child.path(), current);
                created.add(child.path());
            }
            dir = child;
        }
    }

    private void enableControllers(CgroupDir dir, boolean isRoot, boolean owned, Map<String, String> needed) {
        Set<String> available = words(dir.read("cgroup.controllers").orElse(""));
        Set<String> enabled = words(dir.read("cgroup.subtree_control").orElse(""));
        for (Map.Entry<String, String> c : needed.entrySet()) {
            if (!available.contains(c.getKey())) {
                throw new UnsupportedFeatureException(c.getValue() + ": needs the " + c.getKey() + " controller, which "
                        + "cgroup " + dir.cgroupPath() + " does not offer (cgroup.controllers: "
                        + String.join(" ", available) + ")");
            }
        }
        Set<String> wanted = new LinkedHashSet<>(needed.keySet());
        if (owned) {
            STANDARD_CONTROLLERS.stream().filter(available::contains).forEach(wanted::add);
        }
        wanted.removeAll(enabled);
        if (wanted.isEmpty()) {
            return;
        }
        if (!owned && !isRoot) {
            throw new UnsupportedFeatureException("the resources need the controllers " + wanted + ", which cgroup "
                    + dir.cgroupPath() + " does not pass down (its cgroup.subtree_control: " + String.join(" ", enabled)
                    + "); jctr does not change cgroups it did not create");
        }
        StringBuilder line = new StringBuilder();
        for (String c : wanted) {
            line.append(line.isEmpty() ? "" : " ").append('+').append(c);
        }
        dir.writeCore("cgroup.subtree_control", line.toString());
    }

    /** Whether the cgroup at {@code path} is the configured parent or below it. */
    private boolean isOwned(String path) {
        return path.equals(parent) || path.startsWith(parent + "/");
    }

    /** Empties (thaw, kill, wait) and removes a cgroup and its descendants, deepest first. */
    private void removeTree(CgroupDir dir) {
        if (dir.read("cgroup.freeze").map("1"::equals).orElse(false)) {
            dir.writeCore("cgroup.freeze", "0");
        }
        killAll(dir);
        removeDirs(dir);
    }

    private void killAll(CgroupDir dir) {
        boolean hasKill = dir.has("cgroup.kill");
        long deadline = System.nanoTime() + EMPTY_TIMEOUT.toNanos();
        long nextKill = 0;
        while (dir.populated()) {
            long now = System.nanoTime();
            if (now - deadline > 0) {
                Set<Integer> left = new TreeSet<>();
                collectPids(dir, left);
                throw new KernelException(KernelException.Category.TIMEOUT, "cgroup " + dir.cgroupPath()
                        + " still has processes " + left + " " + EMPTY_TIMEOUT.toSeconds() + " s after SIGKILL");
            }
            if (now - nextKill >= 0) {
                if (hasKill) {
                    dir.writeCore("cgroup.kill", "1");
                } else {
                    Set<Integer> pids = new TreeSet<>();
                    collectPids(dir, pids);
                    for (int pid : pids) {
                        try {
                            Processes.kill(pid, Signals.SIGKILL);
                        } catch (SyscallException e) {
                            if (!e.is(Errno.ESRCH)) {
                                throw e;
                            }
                        }
                    }
                }
                nextKill = now + Duration.ofMillis(200).toNanos();
            }
            pause(5);
        }
    }

    private void removeDirs(CgroupDir dir) {
        for (CgroupDir child : dir.children()) {
            removeDirs(child);
        }
        long deadline = System.nanoTime() + RMDIR_TIMEOUT.toNanos();
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                // rmdir(2): right after the last process exits the kernel may still answer EBUSY.
                dir.remove();
                return;
            } catch (SyscallException e) {
                if (e.is(Errno.ENOENT)) {
                    return;
                }
                if (!e.is(Errno.EBUSY) || System.nanoTime() - deadline > 0) {
                    throw new KernelException(KernelException.Category.FAILED_PRECONDITION, "cannot remove cgroup "
                            + dir.cgroupPath() + " after " + attempts + " attempts: " + e.errnoName() + " ("
                            + e.strerror() + ")", e);
                }
                pause(Math.min(50, attempts * 2));
            }
        }
    }

    private static boolean awaitFrozen(CgroupDir dir, boolean frozen, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int wait = 1;
        while (System.nanoTime() - deadline < 0) {
            if ((dir.readKeyed("cgroup.events").getOrDefault("frozen", 0L) == 1) == frozen) {
                return true;
            }
            pause(wait);
            wait = Math.min(wait * 2, 50);
        }
        return false;
    }

    private static void collectPids(CgroupDir dir, Set<Integer> out) {
        out.addAll(dir.procs());
        for (CgroupDir child : dir.children()) {
            collectPids(child, out);
        }
    }

    private CgroupDir existing(CgroupHandle handle) {
        CgroupDir dir = dir(checkHandle(handle));
        if (!dir.exists()) {
            throw new NotFoundException("cgroup " + dir.cgroupPath() + " does not exist under " + root);
        }
        return dir;
    }

    private String checkHandle(CgroupHandle handle) {
        if (!DRIVER.equals(handle.driver())) {
            throw new InvalidConfigException("", "cgroup.driver", "the cgroup was made by driver \"" + handle.driver()
                    + "\", not " + DRIVER);
        }
        String handleRoot = handle.driverState().get(STATE_ROOT);
        if (handleRoot != null && !Path.of(handleRoot).equals(root)) {
            throw new InvalidConfigException("", "cgroup.driverState.root", "the cgroup lives under " + handleRoot
                    + ", this driver manages " + root);
        }
        return normalize("cgroup.path", handle.path());
    }

    private CgroupDir dir(String path) {
        return new CgroupDir(root.resolve(path.substring(1)), path);
    }

    /** The kernel controllers the writes need, each with the first OCI field that needs it. */
    private static Map<String, String> controllersOf(List<Write> writes) {
        Map<String, String> out = new TreeMap<>();
        for (Write w : writes) {
            if (w.controller() != null) {
                out.putIfAbsent(w.controller(), w.field());
            }
        }
        return out;
    }

    private static void mkdir(Path dir, String path) {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            // created concurrently: fine, it is a cgroup like any other
        } catch (IOException e) {
            throw new KernelException(KernelException.Category.FAILED_PRECONDITION, "cannot create cgroup " + path
                    + ": " + reason(e), e);
        }
    }

    /**
     * A cgroup path in canonical form: absolute, no empty, {@code .} or {@code ..} segments, not the root.
     *
     * @throws InvalidConfigException naming {@code field}
     */
    static String normalize(String field, String path) {
        if (path == null) {
            throw new InvalidConfigException("", field, "missing cgroup path");
        }
        List<String> out = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.equals(".") || segment.equals("..") || segment.contains("\n") || segment.contains("\0")) {
                throw new InvalidConfigException("", field, "invalid cgroup path \"" + path
                        + "\": no '.', '..' or control characters allowed");
            }
            out.add(segment);
        }
        if (out.isEmpty()) {
            throw new InvalidConfigException("", field, "the cgroup path \"" + path + "\" names the hierarchy root");
        }
        return "/" + String.join("/", out);
    }

    private static Set<String> words(String text) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : text.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private static String reason(IOException e) {
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        return e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KernelException(KernelException.Category.INTERNAL, "interrupted while waiting for a cgroup", e);
        }
    }
}
