package jctr.kernel.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Facts about the host that drivers and {@code jctr info} need, read once from /proc and /sys.
 *
 * @param kernelRelease e.g. {@code 6.1.0-18-amd64}
 * @param machine e.g. {@code x86_64}
 * @param cgroupMode how cgroups are mounted
 * @param unifiedMount where cgroup2 is mounted, or null
 * @param unifiedControllers controllers available at the cgroup2 root ({@code cgroup.controllers})
 * @param v1Controllers each v1 controller mounted, with its mount point
 * @param filesystems file system types the kernel knows (/proc/filesystems)
 * @param root whether this process runs as root
 */
public record HostInfo(String kernelRelease, String machine, CgroupMode cgroupMode, Path unifiedMount,
                       Set<String> unifiedControllers, Map<String, Path> v1Controllers, Set<String> filesystems,
                       boolean root) {

    public HostInfo {
        unifiedControllers = Set.copyOf(unifiedControllers);
        v1Controllers = Map.copyOf(v1Controllers);
        filesystems = Set.copyOf(filesystems);
    }

    /** Reads the facts of the host this JVM runs on. */
    public static HostInfo detect() {
        try {
            String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
            String machine = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
            List<MountEntry> mounts = MountEntry.parseAll(Files.readString(Path.of("/proc/self/mountinfo")));
            Set<String> fs = new TreeSet<>();
            for (String line : Files.readAllLines(Path.of("/proc/filesystems"))) {
                String[] parts = line.trim().split("\\s+");
                fs.add(parts[parts.length - 1]);
            }
            boolean root = "root".equals(System.getProperty("user.name"))
                    || Files.readString(Path.of("/proc/self/status")).lines()
                    .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
            return fromMounts(release, machine, mounts, fs, root);
        } catch (IOException e) {
            throw new UncheckedIOException("reading host facts from /proc", e);
        }
    }

    /** Derives the cgroup layout from a mount table (separate for testing). */
    static HostInfo fromMounts(String release, String machine, List<MountEntry> mounts, Set<String> fs, boolean root) {
        Path unified = null;
        Map<String, Path> v1 = new LinkedHashMap<>();
        for (MountEntry m : mounts) {
            if (m.fsType().equals("cgroup2") && unified == null) {
                unified = Path.of(m.mountPoint());
            } else if (m.fsType().equals("cgroup")) {
                for (String opt : m.superOptions()) {
                    if (!opt.equals("rw") && !opt.equals("ro") && !opt.startsWith("name=") && !opt.contains("=")
                            && !opt.equals("noprefix") && !opt.equals("clone_children") && !opt.equals("xattr")) {
                        v1.putIfAbsent(opt, Path.of(m.mountPoint()));
                    }
                }
            }
        }
        CgroupMode mode;
        if (unified != null && unified.equals(Path.of("/sys/fs/cgroup"))) {
            mode = CgroupMode.UNIFIED;
        } else if (!v1.isEmpty()) {
            mode = unified != null ? CgroupMode.HYBRID : CgroupMode.LEGACY;
        } else {
            mode = unified != null ? CgroupMode.UNIFIED : CgroupMode.NONE;
        }
        Set<String> controllers = new TreeSet<>();
        if (unified != null) {
            try {
                Path f = unified.resolve("cgroup.controllers");
                if (Files.isRegularFile(f)) {
                    String text = Files.readString(f).trim();
                    if (!text.isEmpty()) {
                        controllers.addAll(List.of(text.split("\\s+")));
                    }
                }
            } catch (IOException e) {
                // unreadable: report no controllers, the v2 probe says why it cannot run
            }
        }
        return new HostInfo(release, machine, mode, unified, controllers, v1, fs, root);
    }
}
