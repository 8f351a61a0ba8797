package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import jctr.kernel.oci.BlockIoResources;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.ThrottleDevice;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ResourceStats;

/** A read throttle on the root disk slows direct reads to its rate, and the bytes show in stats. */
class BlkioIT extends WithTestCgroups {

    private static final long MIB = 1L << 20;


    /** The whole disk a file lives on: {major, minor}. */
    private record Disk(long major, long minor) {
    }

    private static Disk diskOf(Path file) throws Exception {
        long dev = (Long) Files.getAttribute(file, "unix:dev");
        // glibc's major()/minor() split of a dev_t
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        Path sys = Path.of("/sys/dev/block", major + ":" + minor);
        assumeTrue(Files.exists(sys), () -> file + " is not on a block device (" + major + ":" + minor + ")");
        sys = sys.toRealPath();
        if (Files.exists(sys.resolve("partition"))) {
            sys = sys.getParent(); // throttles apply to whole disks
        }
        String[] mm = Files.readString(sys.resolve("dev")).strip().split(":");
        return new Disk(Long.parseLong(mm[0]), Long.parseLong(mm[1]));
    }

    /**
     * Reads a 3 MiB file with O_DIRECT (which bypasses the page cache, so every byte is a real read of the
     * disk) under a 1 MiB/s read throttle of the disk it is on.
     */
    @Test
    void readBpsThrottleSlowsDirectReads() throws Exception {
        Path data = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "jctr-cgv1-blkio-", ".bin");
        try {
            byte[] block = new byte[(int) MIB];
            new Random(4).nextBytes(block);
            for (int i = 0; i < 3; i++) {
                Files.write(data, block, StandardOpenOption.APPEND);
            }
            Disk disk = diskOf(data);
            LinuxResources r = new LinuxResources(null, null, null, null, new BlockIoResources(null, null, null,
                    List.of(new ThrottleDevice(disk.major(), disk.minor(), MIB)), null, null, null), null, null, null, null);
            CgroupHandle h = cg.driver.create("bps", null, r);
            assertEquals(disk.major() + ":" + disk.minor() + " " + MIB,
                    CgroupFiles.read(cg.dir("blkio", "bps").resolve("blkio.throttle.read_bps_device")));

            long start = System.nanoTime();
            Workload w = cg.workload("dd if=" + data + " of=/dev/null bs=256k iflag=direct").joinAndRelease(h);
            assertTrue(w.waitFor(Duration.ofSeconds(60)));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(0, w.exitValue(), w.output());
            System.out.printf("3 MiB of direct reads at a 1 MiB/s throttle: %.2f s%n", seconds);
            assertTrue(seconds >= 1.5, "3 MiB at 1 MiB/s took only " + seconds + " s");

            ResourceStats.BlockIo io = cg.driver.stats(h).blockIo();
            long read = io.serviceBytes().stream()
                    .filter(e -> e.major() == disk.major() && e.minor() == disk.minor() && e.op().equals("Read"))
                    .mapToLong(ResourceStats.BlkioEntry::value).sum();
            assertTrue(read >= 3 * MIB, io.toString());
            assertTrue(io.serviced().stream().anyMatch(e -> e.op().equals("Read") && e.value() >= 12), io.toString());
            cg.driver.delete(h);
        } finally {
            Files.deleteIfExists(data);
        }
    }

    @Test
    void theWeightGoesToTheSchedulersWeightFile() {
        LinuxResources r = new LinuxResources(null, null, null, null,
                new BlockIoResources(250, null, null, null, null, null, null), null, null, null, null);
        CgroupHandle h = cg.driver.create("weight", null, r);
        Path dir = cg.dir("blkio", "weight");
        String file = Files.exists(dir.resolve("blkio.weight")) ? "blkio.weight" : "blkio.bfq.weight";
        Map<String, Long> kv = CgroupFiles.readKeyValues(dir.resolve(file));
        String raw = CgroupFiles.read(dir.resolve(file));
        assertTrue(raw.equals("250") || Long.valueOf(250).equals(kv.get("default")), file + ": " + raw);
        cg.driver.delete(h);
    }
}
