package jctr.cgroup.v1;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jctr.kernel.host.CgroupMode;
import jctr.kernel.host.HostInfo;
import jctr.kernel.spi.DriverContext;

/**
 * A cgroup v1 hierarchy made of plain files in a temporary directory, shaped after Linux 6.18's: one
 * mount per controller, and {@link #cgroup} pre-creates a cgroup's directories with each controller's
 * control files and their default values (a real kernel creates those on mkdir).
 */
final class FakeHierarchy {

    static final String UNLIMITED = "9223372036854771712";

    /** Control files of a fresh cgroup, by controller, with the values the kernel starts them at. */
    static final Map<String, Map<String, String>> FILES = Map.ofEntries(
            Map.entry("memory", files(
                    "memory.limit_in_bytes", UNLIMITED, "memory.memsw.limit_in_bytes", UNLIMITED,
                    "memory.soft_limit_in_bytes", UNLIMITED, "memory.kmem.limit_in_bytes", UNLIMITED,
                    "memory.kmem.tcp.limit_in_bytes", UNLIMITED, "memory.swappiness", "60",
                    "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
                    "memory.use_hierarchy", "1", "memory.usage_in_bytes", "0", "memory.max_usage_in_bytes", "0",
                    "memory.memsw.usage_in_bytes", "0", "memory.failcnt", "0", "memory.memsw.failcnt", "0",
                    "memory.stat", "cache 0\nrss 0\ntotal_cache 0\ntotal_rss 0\n", "cgroup.event_control", "")),
            Map.entry("cpu", files(
                    "cpu.shares", "1024", "cpu.cfs_quota_us", "-1", "cpu.cfs_period_us", "100000",
                    "cpu.cfs_burst_us", "0", "cpu.rt_runtime_us", "0", "cpu.rt_period_us", "1000000", "cpu.idle", "0",
                    "cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n")),
            Map.entry("cpuacct", files(
                    "cpuacct.usage", "0", "cpuacct.usage_percpu", "0 0 ", "cpuacct.stat", "user 0\nsystem 0\n")),
            Map.entry("cpuset", files("cpuset.cpus", "0-1", "cpuset.mems", "0")),
            Map.entry("pids", files("pids.max", "max", "pids.current", "0", "pids.events", "max 0\n")),
            Map.entry("blkio", files(
                    "blkio.bfq.weight", "100", "blkio.bfq.weight_device", "default 100",
                    "blkio.throttle.read_bps_device", "", "blkio.throttle.write_bps_device", "",
                    "blkio.throttle.read_iops_device", "", "blkio.throttle.write_iops_device", "",
                    "blkio.throttle.io_service_bytes_recursive", "Total 0\n",
                    "blkio.throttle.io_serviced_recursive", "Total 0\n")),
            Map.entry("hugetlb", files(
                    "hugetlb.2MB.limit_in_bytes", UNLIMITED, "hugetlb.2MB.usage_in_bytes", "0",
                    "hugetlb.2MB.max_usage_in_bytes", "0", "hugetlb.2MB.failcnt", "0",
                    "hugetlb.1GB.limit_in_bytes", UNLIMITED, "hugetlb.1GB.usage_in_bytes", "0",
                    "hugetlb.1GB.max_usage_in_bytes", "0", "hugetlb.1GB.failcnt", "0")),
            Map.entry("devices", files("devices.allow", "", "devices.deny", "", "devices.list", "a *:* rwm")),
            Map.entry("freezer", files("freezer.state", "THAWED")),
            Map.entry("net_cls", files("net_cls.classid", "0")),
            Map.entry("net_prio", files("net_prio.ifpriomap", "lo 0")),
            Map.entry("rdma", files("rdma.max", "")));

    private final Path root;
    private final Map<String, Path> mounts = new LinkedHashMap<>();

    /** A hierarchy with every controller in {@code controllers} mounted at {@code <root>/<controller>}. */
    FakeHierarchy(Path root, Set<String> controllers) {
        this.root = root;
        for (String c : controllers) {
            mounts.put(c, root.resolve(c));
        }
        try {
            for (Map.Entry<String, Path> m : mounts.entrySet()) {
                Files.createDirectories(m.getValue());
                fill(m.getKey(), m.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every controller the driver knows. */
    FakeHierarchy(Path root) {
        this(root, FILES.keySet());
    }

    Path mount(String controller) {
        return mounts.get(controller);
    }

    /** Creates {@code path} (relative, e.g. {@code jctr/c1}) and its parents in every hierarchy, with control files. */
    FakeHierarchy cgroup(String path) {
        try {
            for (Map.Entry<String, Path> m : mounts.entrySet()) {
                Path dir = m.getValue();
                for (String part : path.split("/")) {
                    dir = dir.resolve(part);
                    if (!Files.isDirectory(dir)) {
                        Files.createDirectories(dir);
                        fill(m.getKey(), dir);
                    }
                }
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The content of a control file of cgroup {@code path}. */
    String read(String controller, String path, String file) {
        try {
            return Files.readString(mounts.get(controller).resolve(path).resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(String controller, String path, String file, String value) {
        try {
            Files.writeString(mounts.get(controller).resolve(path).resolve(file), value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void remove(String controller, String path, String file) {
        try {
            Files.delete(mounts.get(controller).resolve(path).resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A driver context whose host has these hierarchies mounted (and nothing else). */
    DriverContext context(Map<String, String> options) {
        HostInfo host = new HostInfo("6.18.0", "x86_64", CgroupMode.LEGACY, null, Set.of(), mounts, Set.of("cgroup"), true);
        return new DriverContext(root.resolve("run"), root.resolve("lib"), options, host);
    }

    /** An initialized driver on this hierarchy with parent {@code jctr}. */
    CgroupV1Driver driver() {
        CgroupV1Driver d = new CgroupV1Driver();
        d.initialize(context(Map.of()));
        return d;
    }

    /** Every control file's content, to prove that a rejected request changed nothing. */
    Map<Path, String> snapshot() {
        Map<Path, String> out = new LinkedHashMap<>();
        try (var files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                out.put(p, Files.readString(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void fill(String controller, Path dir) throws IOException {
        Files.writeString(dir.resolve("cgroup.procs"), "");
        for (Map.Entry<String, String> f : FILES.get(controller).entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
    }

    private static Map<String, String> files(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
