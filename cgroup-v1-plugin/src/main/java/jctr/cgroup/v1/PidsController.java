package jctr.cgroup.v1;

import java.nio.file.Path;
import java.util.Optional;

import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.ResourceStats;

/** {@code pids}: the task limit. A limit of 0 or -1 means no limit ({@code max}), as in runc. */
final class PidsController implements Controller {

    static final String LIMIT = "linux.resources.pids.limit";

    @Override
    public String name() {
        return "pids";
    }

    @Override
    public Optional<String> requestedField(LinuxResources resources) {
        return resources.pids() != null ? Optional.of(LIMIT) : Optional.empty();
    }

    @Override
    public void validate(LinuxResources resources) {
        if (resources.pids() != null) {
            Checks.limitOrUnlimited(LIMIT, resources.pids().limit());
        }
    }

    @Override
    public void apply(Path dir, LinuxResources resources) {
        if (resources.pids() != null) {
            CgroupFiles.write(dir.resolve("pids.max"), value(resources.pids().limit()), LIMIT);
        }
    }

    /** What pids.max gets for an OCI limit. */
    static String value(long limit) {
        return limit <= 0 ? "max" : Long.toString(limit);
    }

    @Override
    public void stats(Path dir, StatsBuilder stats) {
        long max = CgroupFiles.readLong(dir.resolve("pids.max"), -1);
        stats.pids = new ResourceStats.Pids(CgroupFiles.readLong(dir.resolve("pids.current"), 0),
                max == Long.MAX_VALUE ? 0 : max);
    }
}
