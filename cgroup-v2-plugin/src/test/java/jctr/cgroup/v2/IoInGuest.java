package jctr.cgroup.v2;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jctr.kernel.oci.BlockIoResources;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.ThrottleDevice;
import jctr.kernel.spi.CgroupHandle;
import jctr.kernel.spi.ResourceStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** io.max on the guest's spare block device /dev/ubdb slows direct writes down to the limit. */
class IoInGuest {

    private static final long RATE = 2L << 20;
    private GuestV2 v2;

    @BeforeEach
    void open() {
        v2 = GuestV2.open("io");
    }

    @AfterEach
    void close() {
        v2.close();
    }

    @Test
    void writeBandwidthIsThrottled() throws Exception {
        Path dev = Path.of("/sys/block/ubdb/dev");
        Assumptions.assumeTrue(Files.exists(dev), "the guest has no /dev/ubdb");
        String[] mm = Files.readString(dev).trim().split(":");
        long major = Long.parseLong(mm[0]);
        long minor = Long.parseLong(mm[1]);
        CgroupHandle h = v2.create("io", new LinuxResources(null, null, null, null,
                new BlockIoResources(null, null, null, null, List.of(new ThrottleDevice(major, minor, RATE)), null, null),
                null, null, null, null));
        assertEquals(major + ":" + minor + " rbps=max wbps=" + RATE + " riops=max wiops=max",
                GuestV2.file(h, "io.max"));
        long t0 = System.nanoTime();
        try (Child c = Child.start("exec /bin/dd if=/dev/zero of=/dev/ubdb bs=1M count=6 oflag=direct status=none")) {
            assertEquals(0, c.moveInto(h).go().waitFor(Duration.ofSeconds(60)), c.output());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("6 MiB at %d B/s took %.2f s%n", RATE, seconds);
        // 6 MiB at 2 MiB/s: 3 s, less the burst the throttle grants at the start.
        assertTrue(seconds > 1.5, "the write took only " + seconds + " s");
        ResourceStats s = v2.driver.stats(h);
        long written = s.blockIo().serviceBytes().stream()
                .filter(e -> e.major() == major && e.minor() == minor && e.op().equals("Write"))
                .mapToLong(ResourceStats.BlkioEntry::value).sum();
        assertEquals(6L << 20, written, "io.stat wbytes");
    }
}
