package jctr.cgroup.v2;

import java.util.ArrayList;
import java.util.List;

import jctr.kernel.oci.BlockIoResources;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.ThrottleDevice;
import jctr.kernel.oci.WeightDevice;

import static jctr.cgroup.v2.Checks.invalid;
import static jctr.cgroup.v2.Checks.unsupported;

/**
 * {@code linux.resources.blockIO}: weights go to io.bfq.weight unchanged (10..1000) when the BFQ scheduler
 * offers it, else to io.weight converted linearly to 1..10000 as runc does; throttles become io.max lines,
 * one per device and key. A rate of 0 removes the limit ({@code max}), as writing 0 does in v1.
 */
final class IoController implements Controller {

    static final int MIN_WEIGHT = 10;
    static final int MAX_WEIGHT = 1000;

    private static final String F = Checks.RESOURCES + ".blockIO.";

    @Override
    public List<Write> translate(LinuxResources resources, CgroupView current) {
        BlockIoResources b = resources.blockIO();
        if (b == null) {
            return List.of();
        }
        boolean bfq = current.read("io.bfq.weight").isPresent();
        List<Write> out = new ArrayList<>();
        if (b.leafWeight() != null && b.leafWeight() != 0) {
            throw unsupported(F + "leafWeight", "cgroup v2 has no leaf weights");
        }
        if (b.weight() != null && b.weight() != 0) {
            int w = checkWeight(F + "weight", b.weight());
            out.add(bfq ? new Write("io.bfq.weight", Integer.toString(w), F + "weight")
                    : new Write("io.weight", Long.toString(blkioToIoWeight(w)), F + "weight"));
        }
        for (int i = 0; i < b.weightDevice().size(); i++) {
            WeightDevice d = b.weightDevice().get(i);
            String f = F + "weightDevice[" + i + "]";
            if (d.leafWeight() != null && d.leafWeight() != 0) {
                throw unsupported(f + ".leafWeight", "cgroup v2 has no leaf weights");
            }
            if (d.weight() == null) {
                continue;
            }
            String dev = device(f, d.major(), d.minor());
            int w = checkWeight(f + ".weight", d.weight());
            out.add(bfq ? new Write("io.bfq.weight", dev + " " + w, f)
                    : new Write("io.weight", dev + " " + blkioToIoWeight(w), f));
        }
        throttle(out, "throttleReadBpsDevice", "rbps", b.throttleReadBpsDevice());
        throttle(out, "throttleWriteBpsDevice", "wbps", b.throttleWriteBpsDevice());
        throttle(out, "throttleReadIOPSDevice", "riops", b.throttleReadIOPSDevice());
        throttle(out, "throttleWriteIOPSDevice", "wiops", b.throttleWriteIOPSDevice());
        return out;
    }

    /** runc's conversion of a blkio weight (10..1000) to an io.weight (1..10000). */
    static long blkioToIoWeight(int weight) {
        return 1 + ((long) weight - 10) * 9999 / 990;
    }

    private static void throttle(List<Write> out, String name, String key, List<ThrottleDevice> devices) {
        for (int i = 0; i < devices.size(); i++) {
            ThrottleDevice d = devices.get(i);
            String f = F + name + "[" + i + "]";
            String dev = device(f, d.major(), d.minor());
            if (d.rate() < 0) {
                throw invalid(f + ".rate", "must not be negative, got " + d.rate());
            }
            out.add(new Write("io.max", dev + " " + key + "=" + (d.rate() == 0 ? "max" : Long.toString(d.rate())), f));
        }
    }

    private static int checkWeight(String field, int weight) {
        if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
            throw invalid(field, "must be " + MIN_WEIGHT + ".." + MAX_WEIGHT + ", got " + weight);
        }
        return weight;
    }

    private static String device(String field, long major, long minor) {
        if (major < 0 || major > Integer.MAX_VALUE) {
            throw invalid(field + ".major", "must be a device major number, got " + major);
        }
        if (minor < 0 || minor > Integer.MAX_VALUE) {
            throw invalid(field + ".minor", "must be a device minor number, got " + minor);
        }
        return major + ":" + minor;
    }
}
