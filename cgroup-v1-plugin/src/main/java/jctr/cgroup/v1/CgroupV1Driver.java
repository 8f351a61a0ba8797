package jctr.cgroup.v1;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jctr.kernel.AlreadyExistsException;
import jctr.kernel.KernelException;
import jctr.kernel.NotFoundException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.ResourceDriver;
import jctr.kernel.spi.ResourceEventListener;
import jctr.kernel.spi.ResourceStats;
import jctr.kernel.spi.Subscription;
import jctr.kernel.sys.Errno;
import jctr.kernel.sys.PosixFiles;
import jctr.kernel.sys.SyscallException;

/**
 * The {@code cgroup-v1} resource driver: one directory per container in each v1 controller hierarchy
 * ({@code /sys/fs/cgroup/<controller>/<path>}), settings written by one {@link Controller} per
 * controller, OOM events through {@code cgroup.event_control}, freezing through the freezer.
 *
 * <p>Driver options ({@code driverOptions."cgroup-v1"}): {@value #OPTION_PARENT}, the cgroup under which
 * relative and default cgroup paths go (default {@value CgroupPath#DEFAULT_PARENT}).
 *
 * <p>The hierarchy roots come from {@link jctr.kernel.host.HostInfo#v1Controllers()}, so tests can point
 * the driver at a fake hierarchy. Everything needed to find a cgroup again is in the {@link CgroupHandle}.
 */
public final class CgroupV1Driver implements ResourceDriver {

    /** Driver option: the parent cgroup of relative and default cgroup paths. */
    public static final String OPTION_PARENT = "parent";

    static final Duration FREEZE_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DELETE_TIMEOUT = Duration.ofSeconds(10);

    /** What {@link #initialize} learned: the mount of each controller the driver uses, and the parent. */
    private record Setup(Map<String, Path> mounts, String parent) {
    }

    private volatile Setup setup;

    @Override
    public String name() {
        return CgroupDirs.DRIVER;
    }

    @Override
    public String description() {
        return "cgroup v1: one hierarchy per controller";
    }

    @Override
    public int autoPriority() {
        return 50;
    }

    @Override
    public ProbeResult probe(DriverContext context) {
        Map<String, Path> mounted = usable(context.host().v1Controllers());
        List<String> missing = Controllers.REQUIRED.stream().filter(c -> !mounted.containsKey(c)).toList();
        if (!missing.isEmpty()) {
            return ProbeResult.unavailable("no cgroup v1 hierarchy for " + String.join(", ", missing)
                    + " (host cgroup mode: " + context.host().cgroupMode() + ")");
        }
        List<String> readOnly = Controllers.REQUIRED.stream().filter(c -> !Files.isWritable(mounted.get(c))).toList();
        if (!readOnly.isEmpty()) {
            return ProbeResult.unavailable("cgroup v1 hierarchies not writable by this process: "
                    + readOnly.stream().map(c -> c + " at " + mounted.get(c)).collect(Collectors.joining(", ")));
        }
        return ProbeResult.available("cgroup v1 hierarchies: " + mounted.entrySet().stream()
                .map(e -> e.getKey() + " at " + e.getValue()).collect(Collectors.joining(", ")));
    }

    /** The mounted controllers this driver has a {@link Controller} for. */
    private static Map<String, Path> usable(Map<String, Path> v1Controllers) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (Controller c : Controllers.ALL) {
            Path mount = v1Controllers.get(c.name());
            if (mount != null) {
                out.put(c.name(), mount);
            }
        }
        return out;
    }

    @Override
    public void initialize(DriverContext context) {
        String parent = CgroupPath.normalize(context.options().getOrDefault(OPTION_PARENT, CgroupPath.DEFAULT_PARENT),
                "driverOptions." + name() + "." + OPTION_PARENT);
        setup = new Setup(usable(context.host().v1Controllers()), parent);
    }

    private Setup setup() {
        Setup s = setup;
        if (s == null) {
            throw new IllegalStateException("the " + name() + " driver was used before initialize()");
        }
        return s;
    }

    @Override
    public CgroupHandle create(String containerId, String cgroupsPath, LinuxResources resources) {
        Setup s = setup();
        LinuxResources r = resources == null ? LinuxResources.EMPTY : resources;
        String path = CgroupPath.resolve(containerId, cgroupsPath, s.parent());
        validate(r);
        requireControllers(r, s.mounts().keySet());
        CgroupDirs dirs = CgroupDirs.under(path, s.mounts());
        List<Integer> present = CgroupTree.pids(dirs.existing());
        if (!present.isEmpty()) {
            throw new AlreadyExistsException("cgroup /" + path + " already exists and holds processes " + present);
        }
        List<Path> created = new ArrayList<>();
        try {
            for (Path mount : new LinkedHashSet<>(s.mounts().values())) {
                makeDirs(mount, path, controllersAt(s.mounts(), mount), created);
            }
            applyAll(dirs, r);
        } catch (RuntimeException e) {
            for (int i = created.size() - 1; i >= 0; i--) {
                try {
                    Files.deleteIfExists(created.get(i));
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        return dirs.toHandle();
    }

    /**
     * Creates {@code path} below the hierarchy root {@code mount}, level by level, recording in {@code created}
     * the directories this call made, and lets each controller of the hierarchy prepare them (cpuset needs
     * its CPUs and nodes) before anything else is written.
     */
    private static void makeDirs(Path mount, String path, List<Controller> controllers, List<Path> created) {
        // A concurrent delete may remove the empty default parent between two levels: start over then.
        for (int attempt = 1; ; attempt++) {
            try {
                makeDirsOnce(mount, path, controllers, created);
                return;
            } catch (NoSuchFileException e) {
                if (attempt == 3) {
                    throw new KernelException(KernelException.Category.INTERNAL, "creating cgroup " + path + " in "
                            + mount + ": a parent kept disappearing", e);
                }
            }
        }
    }

    private static void makeDirsOnce(Path mount, String path, List<Controller> controllers, List<Path> created)
            throws NoSuchFileException {
        // The parents usually exist (the default parent holds every container): try the leaf alone first.
        try {
            makeDir(mount.resolve(path), controllers, created);
            return;
        } catch (NoSuchFileException e) {
            // a parent is missing: make the levels one by one
        }
        Path level = mount;
        for (String name : path.split("/")) {
            level = level.resolve(name);
            makeDir(level, controllers, created);
        }
    }

    /** Creates one cgroup directory, unless it exists, and lets the hierarchy's controllers prepare it. */
    private static void makeDir(Path dir, List<Controller> controllers, List<Path> created) throws NoSuchFileException {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            return;
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new KernelException(KernelException.Category.INTERNAL, "creating cgroup " + dir + ": " + e, e);
        }
        created.add(dir);
        for (Controller c : controllers) {
            c.initialize(dir);
        }
    }

    private static List<Controller> controllersAt(Map<String, Path> mounts, Path mount) {
        return Controllers.ALL.stream().filter(c -> mount.equals(mounts.get(c.name()))).toList();
    }

    @Override
    public void update(CgroupHandle cgroup, LinuxResources resources) {
        CgroupDirs dirs = existing(cgroup);
        LinuxResources r = resources == null ? LinuxResources.EMPTY : resources;
        validate(r);
        requireControllers(r, dirs.byController().keySet());
        applyAll(dirs, r);
    }

    /** Every check before any write: a create or update that fails validation changes nothing. */
    private static void validate(LinuxResources r) {
        for (Controller c : Controllers.ALL) {
            c.validate(r);
        }
        if (!r.unified().isEmpty()) {
            throw new UnsupportedFeatureException("linux.resources.unified: raw cgroup v2 settings ("
                    + String.join(", ", r.unified().keySet()) + ") need the cgroup-v2 driver");
        }
    }

    private static void requireControllers(LinuxResources r, Set<String> available) {
        for (Controller c : Controllers.ALL) {
            Optional<String> field = c.requestedField(r);
            if (field.isPresent() && !available.contains(c.name())) {
                throw new UnsupportedFeatureException(field.get() + ": the " + c.name()
                        + " controller is not mounted as a cgroup v1 hierarchy on this host");
            }
        }
    }

    private static void applyAll(CgroupDirs dirs, LinuxResources r) {
        for (Controller c : Controllers.ALL) {
            Optional<Path> dir = dirs.dir(c.name());
            if (dir.isPresent() && c.requestedField(r).isPresent() && !Files.isDirectory(dir.get())) {
                throw new NotFoundException(c.requestedField(r).get() + ": the cgroup's " + c.name() + " directory "
                        + dir.get() + " is gone");
            }
        }
        for (Controller c : Controllers.ALL) {
            dirs.dir(c.name()).ifPresent(dir -> c.precheck(dir, r));
        }
        for (Controller c : Controllers.ALL) {
            dirs.dir(c.name()).ifPresent(dir -> c.apply(dir, r));
        }
    }

    @Override
    public ResourceStats stats(CgroupHandle cgroup) {
        CgroupDirs dirs = existing(cgroup);
        StatsBuilder stats = new StatsBuilder();
        for (Controller c : Controllers.ALL) {
            dirs.dir(c.name()).filter(Files::isDirectory).ifPresent(dir -> c.stats(dir, stats));
        }
        return stats.build();
    }

    @Override
    public void freeze(CgroupHandle cgroup) {
        FreezerController.freeze(controllerDir(existing(cgroup), "freezer", "pause"), FREEZE_TIMEOUT);
    }

    @Override
    public void thaw(CgroupHandle cgroup) {
        FreezerController.thaw(controllerDir(existing(cgroup), "freezer", "resume"), FREEZE_TIMEOUT);
    }

    @Override
    public List<Integer> pids(CgroupHandle cgroup) {
        return CgroupTree.pids(existing(cgroup).existing());
    }

    @Override
    public void delete(CgroupHandle cgroup) {
        CgroupDirs dirs = CgroupDirs.of(cgroup);
        CgroupTree.killAndRemove(dirs.distinct(), dirs.dir("freezer"), DELETE_TIMEOUT);
        removeDefaultParentIfEmpty(cgroup.path(), dirs.distinct());
    }

    /**
     * The default parent ({@value CgroupPath#DEFAULT_PARENT}) is jctr's own: once its last container is gone it
     * is removed too, so that jctr leaves nothing behind. A configured parent belongs to the operator and stays.
     */
    private static void removeDefaultParentIfEmpty(String path, List<Path> containerDirs) {
        String relative = path.startsWith("/") ? path.substring(1) : path;
        if (!relative.startsWith(CgroupPath.DEFAULT_PARENT + "/") || relative.indexOf('/', CgroupPath.DEFAULT_PARENT.length() + 1) >= 0) {
            return;
        }
        for (Path dir : containerDirs) {
            if (CgroupTree.links(dir.getParent()) > 2) {
                continue; // other containers' cgroups are in it: no need to ask rmdir
            }
            try {
                PosixFiles.rmdir(dir.getParent());
            } catch (SyscallException e) {
                // ENOTEMPTY/EBUSY: other containers still live there; ENOENT: already gone.
                if (!e.is(Errno.ENOTEMPTY) && !e.is(Errno.EBUSY) && !e.is(Errno.ENOENT)) {
                    throw e;
                }
            }
        }
    }

    /**
     * OOM notifications from the memory controller ({@link OomWatch}) and fork failures at pids.max from the
     * pids controller ({@link PidsLimitWatch}), for whichever of the two the cgroup is in.
     */
    @Override
    public Subscription watch(CgroupHandle cgroup, ResourceEventListener listener) {
        CgroupDirs dirs = existing(cgroup);
        Optional<Path> memory = dirs.dir("memory").filter(Files::isDirectory);
        Optional<Path> pids = dirs.dir("pids").filter(Files::isDirectory);
        if (memory.isEmpty() && pids.isEmpty()) {
            throw new UnsupportedFeatureException("cgroup " + cgroup.path()
                    + " is in neither the memory nor the pids hierarchy: it has no events to watch");
        }
        Subscription oom = memory.<Subscription>map(dir -> OomWatch.start(cgroup.path(), dir, listener)).orElse(() -> { });
        try {
            Subscription forks = pids.<Subscription>map(dir -> PidsLimitWatch.start(cgroup.path(), dir, listener))
                    .orElse(() -> { });
            return () -> {
                try {
                    forks.close();
                } finally {
                    oom.close();
                }
            };
        } catch (RuntimeException e) {
            oom.close();
            throw e;
        }
    }

    /** The handle's cgroup, which must still exist in at least one hierarchy. */
    private static CgroupDirs existing(CgroupHandle cgroup) {
        CgroupDirs dirs = CgroupDirs.of(cgroup);
        if (dirs.existing().isEmpty()) {
            throw new NotFoundException("cgroup /" + dirs.path() + " does not exist (" + dirs.distinct() + ")");
        }
        return dirs;
    }

    private static Path controllerDir(CgroupDirs dirs, String controller, String purpose) {
        Path dir = dirs.dir(controller).orElseThrow(() -> new UnsupportedFeatureException("cgroup /" + dirs.path()
                + " has no " + controller + " directory, which " + purpose + " needs"));
        if (!Files.isDirectory(dir)) {
            throw new NotFoundException("cgroup " + dir + " does not exist");
        }
        return dir;
    }
}
