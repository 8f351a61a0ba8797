package jctr.cgroup.v1;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jctr.kernel.UnsupportedFeatureException;
import jctr.kernel.oci.BlockIoResources;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.ThrottleDevice;
import jctr.kernel.oci.WeightDevice;
import jctr.kernel.spi.ResourceStats;

/**
 * {@code blkio}: proportional weights (CFQ's {@code blkio.weight}, or BFQ's {@code blkio.bfq.weight} on
 * kernels without CFQ) and per-device throttles. As in runc, weights of 0 mean "not set".
 */
final class BlkioController implements Controller {

    static final String FIELD = "linux.resources.blockIO";
    static final String WEIGHT = FIELD + ".weight";
    static final String LEAF_WEIGHT = FIELD + ".leafWeight";
    static final int MIN_WEIGHT = 10;
    static final int MAX_WEIGHT = 1000;

    /** The OCI throttle lists and their files, in the order they are written. */
    enum Throttle {
        READ_BPS("throttleReadBpsDevice", "blkio.throttle.read_bps_device"),
        WRITE_BPS("throttleWriteBpsDevice", "blkio.throttle.write_bps_device"),
        READ_IOPS("throttleReadIOPSDevice", "blkio.throttle.read_iops_device"),
        WRITE_IOPS("throttleWriteIOPSDevice", "blkio.throttle.write_iops_device");

        final String ociName;
        final String file;

        Throttle(String ociName, String file) {
            this.ociName = ociName;
            this.file = file;
        }

        List<ThrottleDevice> of(BlockIoResources b) {
            return switch (this) {
                case READ_BPS -> b.throttleReadBpsDevice();
                case WRITE_BPS -> b.throttleWriteBpsDevice();
                case READ_IOPS -> b.throttleReadIOPSDevice();
                case WRITE_IOPS -> b.throttleWriteIOPSDevice();
            };
        }

        String field(int index) {
            return FIELD + "." + ociName + "[" + index + "]";
        }
    }

    @Override
    public String name() {
        return "blkio";
    }

    @Override
    public Optional<String> requestedField(LinuxResources resources) {
        BlockIoResources b = resources.blockIO();
        if (b == null) {
            return Optional.empty();
        }
        if (set(b.weight())) {
            return Optional.of(WEIGHT);
        }
        if (set(b.leafWeight())) {
            return Optional.of(LEAF_WEIGHT);
        }
        if (!b.weightDevice().isEmpty()) {
            return Optional.of(FIELD + ".weightDevice");
        }
        for (Throttle t : Throttle.values()) {
            if (!t.of(b).isEmpty()) {
                return Optional.of(FIELD + "." + t.ociName);
            }
        }
        return Optional.empty();
    }

    @Override
    public void validate(LinuxResources resources) {
        BlockIoResources b = resources.blockIO();
        if (b == null) {
            return;
        }
        if (set(b.weight())) {
            Checks.range(WEIGHT, b.weight(), MIN_WEIGHT, MAX_WEIGHT);
        }
        if (set(b.leafWeight())) {
            Checks.range(LEAF_WEIGHT, b.leafWeight(), MIN_WEIGHT, MAX_WEIGHT);
        }
        for (int i = 0; i < b.weightDevice().size(); i++) {
            WeightDevice d = b.weightDevice().get(i);
            String f = FIELD + ".weightDevice[" + i + "]";
            device(f, d.major(), d.minor());
            if (set(d.weight())) {
                Checks.range(f + ".weight", d.weight(), MIN_WEIGHT, MAX_WEIGHT);
            }
            if (set(d.leafWeight())) {
                Checks.range(f + ".leafWeight", d.leafWeight(), MIN_WEIGHT, MAX_WEIGHT);
            }
        }
        for (Throttle t : Throttle.values()) {
            List<ThrottleDevice> list = t.of(b);
            for (int i = 0; i < list.size(); i++) {
                device(t.field(i), list.get(i).major(), list.get(i).minor());
                Checks.notNegative(t.field(i) + ".rate", list.get(i).rate());
            }
        }
    }

    private static void device(String field, long major, long minor) {
        Checks.notNegative(field + ".major", major);
        Checks.notNegative(field + ".minor", minor);
    }

    @Override
    public void precheck(Path dir, LinuxResources resources) {
        BlockIoResources b = resources.blockIO();
        if (b == null) {
            return;
        }
        boolean deviceWeights = b.weightDevice().stream().anyMatch(d -> set(d.weight()));
        if (set(b.weight()) || deviceWeights) {
            if (weightFile(dir).isEmpty()) {
                throw new UnsupportedFeatureException((set(b.weight()) ? WEIGHT : FIELD + ".weightDevice")
                        + ": no proportional I/O scheduler here (neither blkio.weight nor blkio.bfq.weight in "
                        + dir + ")");
            }
        }
        boolean leafWeights = b.weightDevice().stream().anyMatch(d -> set(d.leafWeight()));
        if (set(b.leafWeight()) || leafWeights) {
            Checks.requireFile(dir, "blkio.leaf_weight", set(b.leafWeight()) ? LEAF_WEIGHT : FIELD + ".weightDevice",
                    "leaf weights need the CFQ scheduler, which this kernel does not have");
        }
        for (Throttle t : Throttle.values()) {
            if (!t.of(b).isEmpty()) {
                Checks.requireFile(dir, t.file, t.field(0), "this kernel has no block I/O throttling");
            }
        }
    }

    /** The weight file prefix: {@code blkio.} (CFQ) or {@code blkio.bfq.} (BFQ), if either exists. */
    private static Optional<String> weightFile(Path dir) {
        if (CgroupFiles.has(dir, "blkio.weight")) {
            return Optional.of("blkio.");
        }
        return CgroupFiles.has(dir, "blkio.bfq.weight") ? Optional.of("blkio.bfq.") : Optional.empty();
    }

    @Override
    public void apply(Path dir, LinuxResources resources) {
        BlockIoResources b = resources.blockIO();
        if (b == null) {
            return;
        }
        Optional<String> prefix = weightFile(dir);
        if (set(b.weight())) {
            CgroupFiles.write(dir.resolve(prefix.orElseThrow() + "weight"), Integer.toString(b.weight()), WEIGHT);
        }
        if (set(b.leafWeight())) {
            CgroupFiles.write(dir.resolve("blkio.leaf_weight"), Integer.toString(b.leafWeight()), LEAF_WEIGHT);
        }
        for (int i = 0; i < b.weightDevice().size(); i++) {
            WeightDevice d = b.weightDevice().get(i);
            String f = FIELD + ".weightDevice[" + i + "]";
            if (set(d.weight())) {
                CgroupFiles.write(dir.resolve(prefix.orElseThrow() + "weight_device"),
                        d.major() + ":" + d.minor() + " " + d.weight(), f + ".weight");
            }
            if (set(d.leafWeight())) {
                CgroupFiles.write(dir.resolve("blkio.leaf_weight_device"),
                        d.major() + ":" + d.minor() + " " + d.leafWeight(), f + ".leafWeight");
            }
        }
        for (Throttle t : Throttle.values()) {
            List<ThrottleDevice> list = t.of(b);
            for (int i = 0; i < list.size(); i++) {
                ThrottleDevice d = list.get(i);
                CgroupFiles.write(dir.resolve(t.file), d.major() + ":" + d.minor() + " " + d.rate(), t.field(i));
            }
        }
    }

    @Override
    public void stats(Path dir, StatsBuilder stats) {
        stats.blockIo = new ResourceStats.BlockIo(
                firstNonEmpty(dir, "io_service_bytes_recursive"), firstNonEmpty(dir, "io_serviced_recursive"));
    }

    /** CFQ's counters if the kernel keeps them, else BFQ's, else the throttle layer's (which sees all I/O). */
    private static List<ResourceStats.BlkioEntry> firstNonEmpty(Path dir, String counter) {
        for (String prefix : List.of("blkio.", "blkio.bfq.", "blkio.throttle.")) {
            List<ResourceStats.BlkioEntry> entries = parse(CgroupFiles.readIfExists(dir.resolve(prefix + counter)).orElse(""));
            if (!entries.isEmpty()) {
                return entries;
            }
        }
        return List.of();
    }

    /** Lines {@code 254:0 Read 4096}; the closing {@code Total n} line has no device and is skipped. */
    static List<ResourceStats.BlkioEntry> parse(String text) {
        List<ResourceStats.BlkioEntry> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length != 3) {
                continue;
            }
            int colon = parts[0].indexOf(':');
            if (colon < 0) {
                continue;
            }
            try {
                out.add(new ResourceStats.BlkioEntry(Long.parseLong(parts[0].substring(0, colon)),
                        Long.parseLong(parts[0].substring(colon + 1)), parts[1], Long.parseLong(parts[2])));
            } catch (NumberFormatException e) {
                // not a counter line
            }
        }
        return out;
    }

    private static boolean set(Integer weight) {
        return weight != null && weight != 0;
    }
}
