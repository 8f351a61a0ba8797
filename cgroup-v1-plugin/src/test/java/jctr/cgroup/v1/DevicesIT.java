package jctr.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import jctr.kernel.oci.DeviceRule;
import jctr.kernel.oci.LinuxResources;
import jctr.kernel.spi.CgroupHandle;

/** Device rules are applied in order on top of deny-all, and the kernel enforces them. */
class DevicesIT extends WithTestCgroups {

    private static final String PROBE = "echo hi > /dev/null && echo null-ok; head -c 1 /dev/zero > /dev/null && echo zero-ok";


    private static LinuxResources devices(DeviceRule... rules) {
        return new LinuxResources(List.of(rules), null, null, null, null, null, null, null, null);
    }

    @Test
    void onlyAllowedDevicesCanBeOpenedAndUpdateReplacesTheRules() throws Exception {
        CgroupHandle h = cg.driver.create("dev", null, devices(
                new DeviceRule(false, "a", null, null, "rwm"),
                new DeviceRule(true, "c", 1L, 3L, "rwm"),   // /dev/null
                new DeviceRule(true, "c", 1L, 5L, "rwm"),   // /dev/zero ...
                new DeviceRule(false, "c", 1L, 5L, "r")));  // ... but not for reading: the later rule wins
        assertEquals("c 1:3 rwm\nc 1:5 wm", CgroupFiles.read(cg.dir("devices", "dev").resolve("devices.list")));
        Workload w = cg.workload(PROBE).joinAndRelease(h);
        assertTrue(w.waitFor(Duration.ofSeconds(30)));
        assertTrue(w.output().contains("null-ok"), w.output());
        assertTrue(!w.output().contains("zero-ok") && w.output().contains("Operation not permitted"), w.output());

        cg.driver.update(h, devices(new DeviceRule(true, "c", 1L, null, "rwm")));
        assertEquals("c 1:* rwm", CgroupFiles.read(cg.dir("devices", "dev").resolve("devices.list")));
        Workload w2 = cg.workload(PROBE).joinAndRelease(h);
        assertTrue(w2.waitFor(Duration.ofSeconds(30)));
        assertTrue(w2.output().contains("null-ok") && w2.output().contains("zero-ok"), w2.output());
        cg.driver.delete(h);
    }
}
