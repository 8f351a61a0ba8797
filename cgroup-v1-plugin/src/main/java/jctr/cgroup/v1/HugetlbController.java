package jctr.cgroup.v1;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jctr.kernel.KernelException;
import jctr.kernel.oci.HugepageLimit;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.ResourceStats;

/** {@code hugetlb}: a limit per huge page size, in {@code hugetlb.<size>.limit_in_bytes} (e.g. {@code 2MB}). */
final class HugetlbController implements Controller {

    static final String FIELD = "linux.resources.hugepageLimits";
    private static final Pattern PAGE_SIZE = Pattern.compile("[1-9][0-9]*[KMG]B");
    private static final Pattern USAGE_FILE = Pattern.compile("hugetlb\\.([0-9]+[KMG]B)\\.usage_in_bytes");

    @Override
    public String name() {
        return "hugetlb";
    }

    @Override
    public Optional<String> requestedField(LinuxResources resources) {
        return resources.hugepageLimits().isEmpty() ? Optional.empty() : Optional.of(FIELD);
    }

    @Override
    public void validate(LinuxResources resources) {
        List<HugepageLimit> limits = resources.hugepageLimits();
        for (int i = 0; i < limits.size(); i++) {
            HugepageLimit l = limits.get(i);
            if (l.pageSize() == null || !PAGE_SIZE.matcher(l.pageSize()).matches()) {
                throw Checks.invalid(FIELD + "[" + i + "].pageSize", "must be a size such as 2MB or 1GB, got \""
                        + l.pageSize() + "\"");
            }
            Checks.limitOrUnlimited(FIELD + "[" + i + "].limit", l.limit());
        }
    }

    @Override
    public void precheck(Path dir, LinuxResources resources) {
        List<HugepageLimit> limits = resources.hugepageLimits();
        for (int i = 0; i < limits.size(); i++) {
            Checks.requireFile(dir, file(limits.get(i)), FIELD + "[" + i + "].pageSize",
                    "this host has no " + limits.get(i).pageSize() + " huge pages");
        }
    }

    @Override
    public void apply(Path dir, LinuxResources resources) {
        List<HugepageLimit> limits = resources.hugepageLimits();
        for (int i = 0; i < limits.size(); i++) {
            CgroupFiles.write(dir.resolve(file(limits.get(i))), Long.toString(limits.get(i).limit()),
                    FIELD + "[" + i + "].limit");
        }
    }

    static String file(HugepageLimit limit) {
        return "hugetlb." + limit.pageSize() + ".limit_in_bytes";
    }

    @Override
    public void stats(Path dir, StatsBuilder stats) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "hugetlb.*.usage_in_bytes")) {
            for (Path f : files) {
                Matcher m = USAGE_FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    String size = m.group(1);
                    stats.hugetlb.put(size, new ResourceStats.Hugetlb(
                            CgroupFiles.readLong(f, 0),
                            CgroupFiles.readLong(dir.resolve("hugetlb." + size + ".max_usage_in_bytes"), 0),
                            CgroupFiles.readLong(dir.resolve("hugetlb." + size + ".failcnt"), 0)));
                }
            }
        } catch (IOException e) {
            throw new KernelException(KernelException.Category.INTERNAL, "listing " + dir + ": " + e, e);
        }
    }
}
