package jctr.cgroup.v2;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import jctr.kernel.oci.CpuResources;
import jctr.kernel.oci.DeviceRule;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.oci.MemoryResources;
import jctr.kernel.oci.PidsResources;
import jctr.kernel.spi.CgroupHandle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** 200 create/delete cycles, some with a live process and all with a device program, leave no cgroup behind. */
class CyclesInGuest {

    private GuestV2 v2;

    @BeforeEach
    void open() {
        v2 = GuestV2.open("cycles");
    }

    @AfterEach
    void close() {
        v2.close();
    }

    @Test
    void twoHundredCyclesLeaveNoDirectory() throws Exception {
        LinuxResources r = new LinuxResources(
                List.of(new DeviceRule(false, null, null, null, "rwm"), new DeviceRule(true, "c", 1L, 3L, "rwm")),
                new MemoryResources(64L << 20, null, null, null, null, null, null, null, null),
                new CpuResources(512L, 50000L, null, 100000L, null, null, null, null, null),
                new PidsResources(10), null, null, null, null, null);
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            CgroupHandle h = v2.create("cycle-" + i, r);
            if (i % 20 == 0) {
                try (Child c = Child.start("exec /bin/busybox sleep 60")) {
                    c.moveInto(h).go();
                    v2.driver.delete(h);
                }
            } else {
                v2.driver.delete(h);
            }
        }
        System.out.printf("200 create/delete cycles: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        try (Stream<Path> left = Files.list(v2.parentDir())) {
            assertEquals(List.of(), left.filter(Files::isDirectory).toList());
        }
    }
}
