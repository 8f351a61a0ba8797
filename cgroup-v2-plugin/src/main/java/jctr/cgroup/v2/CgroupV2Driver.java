package jctr.cgroup.v2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.host.HostInfo;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.DriverContext;
import jctr.kernel.spi.ProbeResult;
import jctr.kernel.spi.ResourceDriver;
import jctr.kernel.spi.ResourceEventListener;
import jctr.kernel.spi.ResourceStats;
import jctr.kernel.spi.Subscription;

/**
 * The {@code cgroup-v2} resource driver: containers' cgroups in the unified hierarchy (the cgroup2 mount,
 * /sys/fs/cgroup in unified mode or /sys/fs/cgroup/unified in hybrid mode).
 *
 * <p>Options ({@code driverOptions.cgroup-v2}): {@code parent}, the cgroup under which containers without
 * an absolute {@code linux.cgroupsPath} go (default {@code /jctr}).
 *
 * <p>How each {@code linux.resources} field maps to interface files, and what is refused, is in
 * docs/cgroups.md. Device rules become an eBPF program ({@link DeviceFilter}). Placement of the container's
 * init uses {@link CgroupHandle#cloneIntoDir} (clone3 with CLONE_INTO_CGROUP) or its one cgroup.procs file.
 */
public final class CgroupV2Driver implements ResourceDriver {

    /** The controllers a container engine cannot do without. */
    static final List<String> REQUIRED_CONTROLLERS = List.of("cpu", "memory", "pids");
    static final String OPTION_PARENT = "parent";
    static final String DEFAULT_PARENT = "/jctr";

    private volatile UnifiedHierarchy hierarchy;

    @Override
    public String name() {
        return UnifiedHierarchy.DRIVER;
    }

    @Override
    public String description() {
        return "cgroup v2: the unified hierarchy, devices through eBPF";
    }

    @Override
    public int autoPriority() {
        return 100;
    }

    @Override
    public ProbeResult probe(DriverContext context) {
        HostInfo host = context.host();
        Path mount = host.unifiedMount();
        if (mount == null) {
            return ProbeResult.unavailable("no cgroup2 file system is mounted (cgroup mode " + host.cgroupMode() + ")");
        }
        if (!Files.isRegularFile(mount.resolve("cgroup.subtree_control"))) {
            return ProbeResult.unavailable(mount + " has no cgroup.subtree_control: not a usable cgroup2 hierarchy");
        }
        Set<String> missing = new TreeSet<>(REQUIRED_CONTROLLERS);
        missing.removeAll(host.unifiedControllers());
        String offered = host.unifiedControllers().isEmpty() ? "no controllers"
                : "only the controllers " + String.join(" ", new TreeSet<>(host.unifiedControllers()));
        if (!missing.isEmpty()) {
            String why = "cgroup2 at " + mount + " (" + host.cgroupMode().name().toLowerCase(Locale.ROOT)
                    + " mode) offers " + offered + "; cgroup-v2 needs " + String.join(", ", REQUIRED_CONTROLLERS)
                    + " there (missing: " + String.join(", ", missing) + ")";
            Set<String> inV1 = new TreeSet<>(missing);
            inV1.retainAll(host.v1Controllers().keySet());
            if (!inV1.isEmpty()) {
                why += ". " + String.join(", ", inV1) + (inV1.size() == 1 ? " is" : " are") + " bound to cgroup v1 "
                        + "hierarchies on this host: boot with systemd.unified_cgroup_hierarchy=1 to use cgroup v2, "
                        + "or use the cgroup-v1 driver";
            }
            return ProbeResult.unavailable(why);
        }
        return ProbeResult.available("cgroup2 at " + mount + ", controllers: "
                + String.join(" ", new TreeSet<>(host.unifiedControllers())));
    }

    @Override
    public void initialize(DriverContext context) {
        for (String key : context.options().keySet()) {
            if (!key.equals(OPTION_PARENT)) {
                throw new InvalidConfigException("", "driverOptions." + name() + "." + key,
                        "unknown option (known: " + OPTION_PARENT + ")");
            }
        }
        ProbeResult probe = probe(context);
        if (!probe.available()) {
            throw new UnsupportedFeatureException("the cgroup-v2 driver cannot run here: " + probe.detail());
        }
        String parent = context.options().getOrDefault(OPTION_PARENT, DEFAULT_PARENT);
        hierarchy = new UnifiedHierarchy(context.host().unifiedMount(),
                UnifiedHierarchy.normalize("driverOptions." + name() + "." + OPTION_PARENT, parent),
                CgroupV2Driver::vmSwappiness);
    }

    @Override
    public CgroupHandle create(String containerId, String cgroupsPath, LinuxResources resources) {
        return hierarchy().create(containerId, cgroupsPath, resources);
    }

    @Override
    public void update(CgroupHandle cgroup, LinuxResources resources) {
        hierarchy().update(cgroup, resources);
    }

    @Override
    public ResourceStats stats(CgroupHandle cgroup) {
        return hierarchy().stats(cgroup);
    }

    @Override
    public void freeze(CgroupHandle cgroup) {
        hierarchy().freeze(cgroup);
    }

    @Override
    public void thaw(CgroupHandle cgroup) {
        hierarchy().thaw(cgroup);
    }

    @Override
    public List<Integer> pids(CgroupHandle cgroup) {
        return hierarchy().pids(cgroup);
    }

    @Override
    public void delete(CgroupHandle cgroup) {
        hierarchy().delete(cgroup);
    }

    @Override
    public Subscription watch(CgroupHandle cgroup, ResourceEventListener listener) {
        return hierarchy().watch(cgroup, listener);
    }

    private UnifiedHierarchy hierarchy() {
        UnifiedHierarchy h = hierarchy;
        if (h == null) {
            throw new IllegalStateException("the cgroup-v2 driver was not initialized");
        }
        return h;
    }

    /** The host's vm.swappiness, which every v2 cgroup follows. */
    static OptionalInt vmSwappiness() {
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(Path.of("/proc/sys/vm/swappiness")).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
