package jctr.ns.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import jctr.kernel.host.MountEntry;

/**
 * The facts about the host that shape a launch plan: the mount table (whether / is an initramfs, which
 * cgroup hierarchies to show a container), this process's own cgroups, and the kernel's last capability. Read fresh for every launch by {@link #current()}; tests
 * build one by hand.
 *
 * @param mounts the mount table of this process's mount namespace, in /proc/self/mountinfo order
 * @param cgroupSymlinks symlinks directly in /sys/fs/cgroup (e.g. {@code cpu -> cpu,cpuacct}), name to target
 * @param ownCgroups this process's cgroup per hierarchy from /proc/self/cgroup, keyed by the controller
 *                   list as printed there ({@code memory}, {@code cpu,cpuacct}, {@code name=systemd}; empty for v2)
 * @param lastCap the highest capability number the kernel knows (/proc/sys/kernel/cap_last_cap)
 */
public record HostView(List<MountEntry> mounts, Map<String, String> cgroupSymlinks, Map<String, String> ownCgroups,
                       int lastCap) {

    /** Where cgroup hierarchies are mounted on hosts and in containers. */
    public static final String CGROUP_ROOT = "/sys/fs/cgroup";

    private static final Set<String> NOT_CONTROLLERS = Set.of("rw", "ro", "noprefix", "clone_children", "xattr",
            "cpuset_v2_mode", "favordynmods", "nsdelegate", "memory_recursiveprot", "memory_localevents",
            "memory_hugetlb_accounting", "pids_localevents");

    public HostView {
        mounts = List.copyOf(mounts);
        cgroupSymlinks = Map.copyOf(cgroupSymlinks);
        ownCgroups = Map.copyOf(ownCgroups);
    }

    /**
     * A cgroup hierarchy mounted on the host.
     *
     * @param mountPoint e.g. {@code /sys/fs/cgroup/memory}
     * @param fsType {@code cgroup} (v1) or {@code cgroup2}
     * @param controllers the mount's v1 controllers and name= option, comma-joined (empty for cgroup2);
     *                    also the mount data for mounting the same hierarchy again
     */
    public record CgroupHierarchy(String mountPoint, String fsType, String controllers) {

        /** The key of this hierarchy in /proc/PID/cgroup (controllers, or empty for cgroup2). */
        public Set<String> controllerSet() {
            return controllers.isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(controllers.split(",")));
        }
    }

    /** Reads the facts of this process's host. */
    public static HostView current() {
        try {
            List<MountEntry> mounts = MountEntry.parseAll(Files.readString(Path.of("/proc/self/mountinfo")));
            Map<String, String> links = new LinkedHashMap<>();
            Path cgroupRoot = Path.of(CGROUP_ROOT);
            if (Files.isDirectory(cgroupRoot)) {
                try (DirectoryStream<Path> dir = Files.newDirectoryStream(cgroupRoot)) {
                    for (Path p : dir) {
                        if (Files.isSymbolicLink(p)) {
                            links.put(p.getFileName().toString(), Files.readSymbolicLink(p).toString());
                        }
                    }
                }
            }
            Map<String, String> own = parseProcCgroup(Files.readString(Path.of("/proc/self/cgroup")));
            int lastCap;
            // Not Files.readString: it reads a size-0 file in tiny steps, and integer sysctls end after the first.
            try (var in = Files.newInputStream(Path.of("/proc/sys/kernel/cap_last_cap"))) {
                lastCap = Integer.parseInt(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim());
            }
            return new HostView(mounts, links, own, lastCap);
        } catch (IOException e) {
            throw new UncheckedIOException("reading host facts for a launch plan", e);
        }
    }

    /** Parses /proc/PID/cgroup ("id:controllers:path" lines) into controllers → path. */
    public static Map<String, String> parseProcCgroup(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int first = line.indexOf(':');
            int second = first < 0 ? -1 : line.indexOf(':', first + 1);
            if (second > 0) {
                out.put(line.substring(first + 1, second), line.substring(second + 1));
            }
        }
        return out;
    }

    /** Whether / is the initramfs (rootfs/ramfs), where pivot_root(2) is refused and MS_MOVE+chroot is needed. */
    public boolean rootIsRamfs() {
        return topmostAt("/").map(m -> m.fsType().equals("rootfs") || m.fsType().equals("ramfs")).orElse(false);
    }

    /**
     * The cgroup hierarchies mounted at {@value #CGROUP_ROOT} (a unified host) or directly below it
     * (v1 and hybrid hosts), sorted by mount point, each once (the topmost mount wins).
     */
    public List<CgroupHierarchy> cgroupHierarchies() {
        Map<String, CgroupHierarchy> found = new LinkedHashMap<>();
        Path root = Path.of(CGROUP_ROOT);
        for (MountEntry m : mounts) {
            Path mp = Path.of(m.mountPoint());
            boolean here = mp.equals(root) || root.equals(mp.getParent());
            if (!here) {
                continue;
            }
            if (m.fsType().equals("cgroup2")) {
                found.put(m.mountPoint(), new CgroupHierarchy(m.mountPoint(), "cgroup2", ""));
            } else if (m.fsType().equals("cgroup")) {
                List<String> controllers = new ArrayList<>();
                for (String opt : m.superOptions()) {
                    if (!NOT_CONTROLLERS.contains(opt) && (opt.startsWith("name=") || !opt.contains("="))) {
                        controllers.add(opt);
                    }
                }
                found.put(m.mountPoint(), new CgroupHierarchy(m.mountPoint(), "cgroup", String.join(",", controllers)));
            } else {
                found.remove(m.mountPoint());   // something mounted over it
            }
        }
        return found.values().stream().sorted(Comparator.comparing(CgroupHierarchy::mountPoint)).toList();
    }

    /** This process's cgroup path in hierarchy {@code h}, or "/" when /proc/self/cgroup does not list it. */
    public String ownCgroup(CgroupHierarchy h) {
        Set<String> want = h.controllerSet();
        for (Map.Entry<String, String> e : ownCgroups.entrySet()) {
            Set<String> have = e.getKey().isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(e.getKey().split(",")));
            if (have.equals(want)) {
                return e.getValue();
            }
        }
        return "/";
    }

    private Optional<MountEntry> topmostAt(String mountPoint) {
        MountEntry top = null;
        for (MountEntry m : mounts) {
            if (m.mountPoint().equals(mountPoint)) {
                top = m;
            }
        }
        return Optional.ofNullable(top);
    }
}
