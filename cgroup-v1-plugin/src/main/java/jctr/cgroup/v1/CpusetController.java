package jctr.cgroup.v1;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import jctr.kernel.ResourceLimitException;
import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.LinuxResources;

/**
 * {@code cpuset}: the CPUs and memory nodes the cgroup may use. A new v1 cpuset starts with no CPUs and no
 * nodes, and the kernel refuses to place a task there, so {@link #initialize} copies the parent's.
 */
final class CpusetController implements Controller {

    static final String CPUS = "linux.resources.cpu.cpus";
    static final String MEMS = "linux.resources.cpu.mems";
    static final String CPUS_FILE = "cpuset.cpus";
    static final String MEMS_FILE = "cpuset.mems";
    /** How long a new cgroup waits for a parent that another process is still setting up. */
    static final Duration PARENT_SETUP_WAIT = Duration.ofMillis(200);

    @Override
    public String name() {
        return "cpuset";
    }

    @Override
    public Optional<String> requestedField(LinuxResources resources) {
        CpuResources c = resources.cpu();
        if (c == null) {
            return Optional.empty();
        }
        if (set(c.cpus())) {
            return Optional.of(CPUS);
        }
        return set(c.mems()) ? Optional.of(MEMS) : Optional.empty();
    }

    @Override
    public void validate(LinuxResources resources) {
        CpuResources c = resources.cpu();
        if (c != null) {
            Checks.cpuList(CPUS, c.cpus());
            Checks.cpuList(MEMS, c.mems());
        }
    }

    @Override
    public void apply(Path dir, LinuxResources resources) {
        CpuResources c = resources.cpu();
        if (c == null) {
            return;
        }
        if (set(c.cpus())) {
            CgroupFiles.write(dir.resolve(CPUS_FILE), c.cpus(), CPUS);
        }
        if (set(c.mems())) {
            CgroupFiles.write(dir.resolve(MEMS_FILE), c.mems(), MEMS);
        }
    }

    @Override
    public void initialize(Path dir) {
        inherit(dir, CPUS_FILE);
        inherit(dir, MEMS_FILE);
    }

    private static void inherit(Path dir, String file) {
        if (!CgroupFiles.read(dir.resolve(file)).isEmpty()) {
            return;
        }
        String parent = CgroupFiles.read(dir.getParent().resolve(file));
        // A parent another jctr process has just created may not be set up yet: give it a moment.
        long deadline = System.nanoTime() + PARENT_SETUP_WAIT.toNanos();
        Waits.Backoff backoff = new Waits.Backoff(Duration.ofMillis(10));
        while (parent.isEmpty() && System.nanoTime() - deadline < 0) {
            backoff.pause("waiting for the cpuset of " + dir.getParent());
            parent = CgroupFiles.read(dir.getParent().resolve(file));
        }
        if (parent.isEmpty()) {
            throw new ResourceLimitException("cannot set up cpuset cgroup " + dir + ": its parent has an empty "
                    + file + ", so no task could run in it");
        }
        CgroupFiles.write(dir.resolve(file), parent, null);
    }

    private static boolean set(String list) {
        return list != null && !list.isEmpty();
    }
}
